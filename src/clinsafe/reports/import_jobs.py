"""A spreadsheet imported from the web, in the background: the file is kept as an ImportJob
from upload to import, so the preview, the mapping and the import read the same bytes; the
import runs in the worker beside the web server (`clinsafe db_worker`), its progress shown
as it goes and its outcome kept."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from clinsafe.audit.backup import after_restore
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.progress import Progress
from clinsafe.products.models import Product
from clinsafe.reports.log_import import (
    ImportOptions,
    OnProgress,
    import_hazard_log,
    preview_hazard_log,
)
from clinsafe.reports.models import ImportJob, ImportState


def progress_key(job: ImportJob) -> str:
    return f"hazard-log-import-{job.pk}"


def upload_for_import(*, actor: Actor, product: Product, data: bytes, filename: str) -> ImportJob:
    """Keep an uploaded spreadsheet for its preview and import; a file that cannot be read
    as a hazard log is refused with the reason, and nothing kept."""
    user = require(actor, Action.IMPORT_HAZARD_LOG, product.organisation)
    preview = preview_hazard_log(actor=user, product=product, data=data, filename=filename)
    unreadable = next((p.message for p in preview.problems if p.field == "file"), None)
    if unreadable:
        raise ValidationError({"file": unreadable})
    return ImportJob.objects.create(
        product=product,
        filename=filename,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )


def start_import(*, actor: Actor, job: ImportJob, options: ImportOptions) -> ImportJob:
    """Queue ``job``'s import with ``options`` for the background worker."""
    user = require(actor, Action.IMPORT_HAZARD_LOG, job.product.organisation)
    if user.pk != job.uploaded_by_id:
        raise ValidationError({"__all__": "Only the person who uploaded a file imports it."})
    with transaction.atomic():
        queued = ImportJob.objects.filter(pk=job.pk, state=ImportState.UPLOADED).update(
            state=ImportState.QUEUED,
            mapping=options.mapping,
            number_by_file=options.number_by_file,
            import_sound=options.import_sound,
        )
        if not queued:
            raise ValidationError({"__all__": "This file is already being imported, or was."})
        transaction.on_commit(lambda: import_job.enqueue(job.pk))
    job.refresh_from_db()
    return job


def options_of(job: ImportJob) -> ImportOptions:
    return ImportOptions(job.mapping, job.number_by_file, job.import_sound)


def _run(job: ImportJob, progress: OnProgress) -> ImportJob:
    """Import ``job`` as the person who uploaded it, and record how it ended."""
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING)
    try:
        result = import_hazard_log(
            actor=job.uploaded_by,
            product=job.product,
            data=bytes(job.data),
            filename=job.filename,
            options=options_of(job),
            progress=progress,
        )
    except PermissionDenied as error:
        job.state, job.error = ImportState.REFUSED, str(error)
    except Exception as error:
        job.state, job.error = ImportState.FAILED, f"{type(error).__name__}: {error}"
        raise
    else:
        job.state = ImportState.IMPORTED if result.record else ImportState.REFUSED
        job.outcome, job.log_import = result.as_json(), result.record
    finally:
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "error", "outcome", "log_import", "finished_at"])
    return job


@after_restore
def requeue_imports() -> None:
    """Imports queued, or cut off while running, when the backup was made start again on the
    restored server (an import is all or nothing, so a cut-off one left nothing behind)."""
    unfinished = ImportJob.objects.filter(state__in=[ImportState.QUEUED, ImportState.RUNNING])
    for pk in unfinished.values_list("pk", flat=True):
        ImportJob.objects.filter(pk=pk).update(state=ImportState.QUEUED)
        import_job.enqueue(pk)


@task()
def import_job(job_id: int) -> str:
    job = ImportJob.objects.select_related("product__organisation", "uploaded_by").get(pk=job_id)
    progress = Progress(progress_key(job))
    try:
        return _run(job, progress).state
    finally:
        progress.clear()
