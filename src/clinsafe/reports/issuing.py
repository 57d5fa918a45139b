"""Issuing documents: when the CSO signs a release off, its Clinical Safety Case Report and
Hazard Log are issued as PDFs, each with the next document version, and kept byte for byte
with their SHA-256. The PDFs take seconds to build, so they are built by the background
worker once the sign-off has committed (`DocumentIssuing` says how far it got), never inside
the request and the lock that signing holds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django_tasks import task

from clinsafe.audit.backup import after_restore
from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.formats import person_name
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.progress import Progress
from clinsafe.gate.evaluation import evaluate
from clinsafe.gate.models import SignOff
from clinsafe.gate.services import add_sign_off_step
from clinsafe.products.models import Product, Release
from clinsafe.reports.builders import hazard_log_document, safety_case_report
from clinsafe.reports.document import Document
from clinsafe.reports.models import DocumentIssuing, DocumentKind, IssuedDocument, IssuingState
from clinsafe.reports.render import to_pdf

RELEASE_DOCUMENTS = (DocumentKind.SAFETY_CASE_REPORT, DocumentKind.HAZARD_LOG)


@add_sign_off_step
def queue_release_documents(actor: User, release: Release, sign_off: SignOff) -> None:
    """Within the sign-off's transaction: queue its documents for the worker."""
    issuing = DocumentIssuing.objects.create(
        sign_off=sign_off, release=release, queued_at=timezone.now()
    )
    transaction.on_commit(lambda: issue_documents.enqueue(issuing.pk))


@after_restore
def requeue_issuing() -> None:
    """Documents still queued when the backup was made are issued on the restored server."""
    for pk in DocumentIssuing.objects.filter(state=IssuingState.QUEUED).values_list(
        "pk", flat=True
    ):
        issue_documents.enqueue(pk)


@task()
def issue_documents(issuing_id: int) -> str:
    issuing = DocumentIssuing.objects.get(pk=issuing_id)
    progress = Progress(issuing_progress_key(issuing))
    try:
        return issue_signed_documents(issuing, progress).state
    finally:
        progress.clear()


def issuing_progress_key(issuing: DocumentIssuing) -> str:
    return f"document-issuing-{issuing.pk}"


def issue_signed_documents(
    issuing: DocumentIssuing, progress: Callable[[int, int], None] = lambda done, total: None
) -> DocumentIssuing:
    """Issue the documents of ``issuing``'s sign-off, as its signer, if the records are still
    the ones signed. A failure is kept with its reason and queued again until MAX_ATTEMPTS;
    issuing twice issues once."""
    try:
        with transaction.atomic():
            issuing = DocumentIssuing.objects.select_for_update().get(pk=issuing.pk)
            if not issuing.waiting:
                return issuing
            # The release's lock keeps two issues from taking the same document version.
            release = (
                Release.objects.select_for_update()
                .select_related("product")
                .get(pk=issuing.release_id)
            )
            sign_off = issuing.sign_off
            issuing.attempts += 1
            if evaluate(release).snapshot_hash != sign_off.snapshot_hash:
                issuing.state = IssuingState.SUPERSEDED
            else:
                for done, kind in enumerate(RELEASE_DOCUMENTS):
                    progress(done, len(RELEASE_DOCUMENTS))
                    issue(sign_off.signer, release, kind)
                progress(len(RELEASE_DOCUMENTS), len(RELEASE_DOCUMENTS))
                issuing.state = IssuingState.ISSUED
            issuing.error, issuing.finished_at = "", timezone.now()
            issuing.save()
        return issuing
    except Exception as error:  # kept, shown and retried: a failure is never lost
        return _failed(issuing, f"{type(error).__name__}: {error}")


def _failed(issuing: DocumentIssuing, error: str) -> DocumentIssuing:
    issuing.refresh_from_db()
    issuing.attempts += 1
    again = issuing.attempts < DocumentIssuing.MAX_ATTEMPTS
    issuing.state = IssuingState.QUEUED if again else IssuingState.FAILED
    issuing.error, issuing.finished_at = error, None if again else timezone.now()
    issuing.save()
    if again:  # the failed attempt's transaction is over: queue the next at once
        issue_documents.enqueue(issuing.pk)
    return issuing


def retry_issuing(*, actor: Actor, issuing: DocumentIssuing) -> DocumentIssuing:
    """A CSO queues documents whose issuing failed once more, with fresh attempts."""
    user = require(actor, Action.SIGN_OFF_RELEASE, issuing.release.product.organisation)
    with transaction.atomic():
        failed = DocumentIssuing.objects.filter(pk=issuing.pk, state=IssuingState.FAILED)
        if not failed.update(state=IssuingState.QUEUED, attempts=0, finished_at=None):
            raise ValidationError({"__all__": "These documents are not waiting on a retry."})
        record_event(
            EventType.DOCUMENT_ISSUING_RETRIED,
            actor=user,
            subject=issuing.release,
            organisation=issuing.release.product.organisation,
            data={"error": issuing.error},
        )
        transaction.on_commit(lambda: issue_documents.enqueue(issuing.pk))
    issuing.refresh_from_db()
    return issuing


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
        issued_by_name=person_name(actor),
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
