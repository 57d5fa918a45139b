"""Issuing documents: when the CSO signs a release off, its Clinical Safety Case Report and
Hazard Log are issued as PDFs, each with the next document version, and kept byte for byte
with their SHA-256."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import User
from django.db.models import Max
from django.utils import timezone

from clinsafe.audit.models import EventType
from clinsafe.audit.services import display_name, record_event
from clinsafe.gate.models import SignOff
from clinsafe.gate.services import add_sign_off_step
from clinsafe.products.models import Release
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
    latest = IssuedDocument.objects.filter(product=product, kind=kind).aggregate(
        v=Max("document_version")
    )["v"]
    version = (latest or 0) + 1
    status = f"Issued, document version {version}"
    document: Document = (
        safety_case_report(release, status)
        if kind == DocumentKind.SAFETY_CASE_REPORT
        else hazard_log_document(product, release, status)
    )
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
        subject=release,
        organisation=product.organisation,
        data={
            "document": DocumentKind(kind).label,
            "document_version": version,
            "sha256": issued.sha256,
        },
    )
    return issued
