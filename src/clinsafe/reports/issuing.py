"""Issuing documents: when the CSO signs a release off, its Clinical Safety Case Report and
Hazard Log are issued as PDFs, each with the next document version, and kept byte for byte
with their SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db.models import Max, Model
from django.utils import timezone

from clinsafe.audit.models import EventType
from clinsafe.audit.services import display_name, record_event
from clinsafe.gate.models import SignOff
from clinsafe.gate.services import add_sign_off_step
from clinsafe.products.models import Product, Release
from clinsafe.reports.builders import hazard_log_document, safety_case_report
from clinsafe.reports.document import Document
from clinsafe.reports.models import DocumentKind, IssuedDocument
from clinsafe.reports.render import to_pdf


@add_sign_off_step
def issue_release_documents(actor: User, release: Release, sign_off: SignOff) -> None:
    for kind in (DocumentKind.SAFETY_CASE_REPORT, DocumentKind.HAZARD_LOG):
        issue(actor, release, kind)


def issue(actor: User, release: Release, kind: str) -> IssuedDocument:
    """Issue ``kind`` for ``release`` as the product's next version of that document. The
    caller holds the release locked, so two issues cannot take the same version."""
    product = release.product

    def build(status: str) -> Document:
        if kind == DocumentKind.SAFETY_CASE_REPORT:
            return safety_case_report(release, status)
        return hazard_log_document(product, release, status)

    return keep_issued(actor, product, kind, build, release=release)


def keep_issued(
    actor: User,
    product: Product,
    kind: str,
    build: Callable[[str], Document],
    *,
    release: Release | None = None,
    subject: Model | None = None,
) -> IssuedDocument:
    """Render the document ``build`` gives for its status line as a PDF and keep it as the
    product's next version of ``kind``, with the audit event (on ``subject``, else the
    release or product). The caller holds a lock that keeps two issues apart."""
    latest = IssuedDocument.objects.filter(product=product, kind=kind).aggregate(
        v=Max("document_version")
    )["v"]
    version = (latest or 0) + 1
    document = build(f"Issued, document version {version}")
    content = to_pdf(document)
    issued = IssuedDocument.objects.create(
        product=product,
        release=release,
        kind=kind,
        document_version=version,
        filename=f"{document.filename}-v{version}.pdf",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        issued_at=timezone.now(),
        issued_by=actor,
        issued_by_name=display_name(actor),
    )
    record_event(
        EventType.DOCUMENT_ISSUED,
        actor=actor,
        subject=subject or release or product,
        organisation=product.organisation,
        data={
            "document": DocumentKind(kind).label,
            "document_version": version,
            "sha256": issued.sha256,
        },
    )
    return issued
