"""The documents pages: every document as a page and as PDF and DOCX downloads, the
hazard log's spreadsheets and import, the compliance assessment, the plan's approval, the
issued documents and the supplier bundle. Short views that find the record, call a
service or a builder, and respond."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from clinsafe.core.forms import run_service, submit
from clinsafe.core.http import download
from clinsafe.core.permissions import Action, require
from clinsafe.core.progress import progress_of
from clinsafe.gate.evaluation import gate_reports
from clinsafe.gate.views import release_or_404
from clinsafe.hazards.views import product_or_404, product_page
from clinsafe.products.models import Product, Release
from clinsafe.reports import builders, services
from clinsafe.reports.bundle import SCHEMA_PATH, export_bundle
from clinsafe.reports.dcb0129 import REQUIREMENTS, Evidence
from clinsafe.reports.document import Document
from clinsafe.reports.forms import (
    ComplianceForm,
    MappingForm,
    RatingDecisionForm,
    SignForm,
    UploadForm,
)
from clinsafe.reports.import_jobs import progress_key, start_import, upload_for_import
from clinsafe.reports.issuing import issuing_progress_key, retry_issuing
from clinsafe.reports.log_file import find_layout, read_tables
from clinsafe.reports.log_import import ImportOptions, preview_hazard_log
from clinsafe.reports.models import (
    ComplianceStatus,
    DocumentIssuing,
    ImportJob,
    ImportState,
    IssuedDocument,
    IssuingState,
    RatingMismatch,
)
from clinsafe.reports.records import read_log
from clinsafe.reports.render import DOCX, PDF, to_docx, to_html, to_pdf
from clinsafe.reports.spreadsheet import CSV, JSON, XLSX, to_csv, to_json, to_xlsx

RENDERERS: dict[str, tuple[Callable[[Document], bytes], str]] = {
    "pdf": (to_pdf, PDF),
    "docx": (to_docx, DOCX),
}
SPREADSHEETS = {"xlsx": (to_xlsx, XLSX), "csv": (to_csv, CSV), "json": (to_json, JSON)}


@login_required
def documents(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    releases = list(Release.objects.filter(product=product).select_related("product"))
    gates = gate_reports(releases)
    compliances = services.compliances_of(releases)
    issued = (
        IssuedDocument.objects.filter(product=product).select_related("release").defer("content")
    )
    issuings: dict[int, DocumentIssuing] = {}
    latest = DocumentIssuing.objects.filter(release__product=product).select_related("sign_off")
    for issuing in latest:  # newest first
        issuings.setdefault(issuing.release_id, issuing)
    return product_page(
        request,
        "reports/documents.html",
        product,
        plan=services.plan_status(product),
        releases=[
            (
                r,
                gates[r.pk],
                compliances[r.pk],
                [d for d in issued if d.release_id == r.pk],
                _issuing_shown(issuings.get(r.pk)),
            )
            for r in releases
        ],
        imports=product.log_imports.select_related("imported_by")[:5],
    )


def _issuing_shown(issuing: DocumentIssuing | None) -> dict[str, Any] | None:
    """The latest issuing of a release's documents, with its progress while it runs."""
    if issuing is None or issuing.state == IssuingState.ISSUED:
        return None
    done = progress_of(issuing_progress_key(issuing)) if issuing.waiting else None
    return {"issuing": issuing, "done": done}


@login_required
def issuing_retry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    product = product_or_404(request, slug)
    issuing = get_object_or_404(DocumentIssuing, pk=pk, release__product=product)
    if request.method != "POST":
        raise Http404("Retry with the button on the documents page.")
    try:
        retry_issuing(actor=request.user, issuing=issuing)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"The documents of release {issuing.release.version} are "
                         "queued to be issued again.")  # fmt: skip
    return redirect("documents", product.slug)


def _respond(
    request: HttpRequest, product: Product, document: Document, fmt: str, **context: Any
) -> HttpResponse:
    if fmt == "html":
        return product_page(
            request, "reports/document_page.html", product, document=document,
            body=to_html(document), **context,
        )  # fmt: skip
    if fmt not in RENDERERS:
        raise Http404("No such format.")
    render, content_type = RENDERERS[fmt]
    return download(render(document), content_type, f"{document.filename}.{fmt}")


@login_required
def hazard_log_document(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    product = product_or_404(request, slug)
    if fmt in SPREADSHEETS:
        write, content_type = SPREADSHEETS[fmt]
        return download(write(read_log(product)), content_type, f"hazard-log-{slug}.{fmt}")
    return _respond(request, product, builders.hazard_log_document(product), fmt)


@login_required
def plan_document(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    product = product_or_404(request, slug)
    return _respond(
        request, product, builders.risk_management_plan(product), fmt,
        plan=services.plan_status(product),
    )  # fmt: skip


@login_required
def plan_approve(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.APPROVE_PLAN, product.organisation)
    plan = services.plan_status(product)
    form = SignForm(request.POST or None)
    if (
        request.method == "POST"
        and submit(
            form,
            lambda: services.approve_plan(actor=request.user, product=product, **form.cleaned_data),
        )
        is not None
    ):
        messages.success(request, f"You approved plan version {plan.version}.")
        return redirect("documents", product.slug)
    return product_page(request, "reports/plan_approve.html", product, form=form, plan=plan)


@login_required
def dtac_document(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    product = product_or_404(request, slug)
    links = _dtac_links(request, product)
    return _respond(request, product, builders.dtac_answers(product, links), fmt)


def _dtac_links(request: HttpRequest, product: Product) -> dict[str, str]:
    def url(name: str, *args: str) -> str:
        return request.build_absolute_uri(reverse(name, args=[product.slug, *args]))

    links = {"plan": url("plan-document", "pdf"), "hazard_log": url("hazard-log-document", "pdf")}
    report = IssuedDocument.objects.filter(product=product, kind="safety-case-report").first()
    if report is not None:
        links["report"] = url("issued-document", str(report.pk))
    return links


@login_required
def safety_case_report(request: HttpRequest, slug: str, version: str, fmt: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    return _respond(
        request, release.product, builders.safety_case_report(release), fmt, release=release
    )


@login_required
def issued_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    product = product_or_404(request, slug)
    issued = get_object_or_404(IssuedDocument, product=product, pk=pk)
    response = download(bytes(issued.content), PDF, issued.filename)
    response["Digest"] = f"sha-256={base64.b64encode(bytes.fromhex(issued.sha256)).decode()}"
    return response


@login_required
def compliance(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    form = _compliance_form(request, release, request.POST or None)
    if request.method == "POST":
        require(request.user, Action.ASSESS_COMPLIANCE, release.product.organisation)
        saved = submit(
            form,
            lambda: services.assess_compliance(
                actor=request.user, release=release, answers=form.answers()
            ),
        )
        if saved is not None:
            messages.success(request, "Assessment saved. Sign it to complete it for the gate.")
            return redirect("release-compliance", release.product.slug, release.version)
    return _compliance_page(request, release, form, SignForm())


@login_required
def compliance_sign(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    require(request.user, Action.ASSESS_COMPLIANCE, release.product.organisation)
    form = SignForm(request.POST or None)
    if request.method == "POST":
        signed = submit(
            form,
            lambda: services.sign_compliance(
                actor=request.user, release=release, **form.cleaned_data
            ),
        )
        if signed is not None:
            messages.success(request, f"You signed the compliance assessment of {release.version}.")
            return redirect("release-compliance", release.product.slug, release.version)
    return _compliance_page(request, release, _compliance_form(request, release, None), form)


def _compliance_form(request: HttpRequest, release: Release, data: Any) -> ComplianceForm:
    """The answers as they stand, or each requirement's evidence link for a first one."""
    current = services.compliance_of(release).assessment
    hints = _evidence_hints(request, release.product)
    initial = (
        ComplianceForm.initial_from(current.answers)
        if current
        else {f"evidence_{r.clause}": hints[r.clause] for r in REQUIREMENTS}
    )
    return ComplianceForm(data, initial=initial, evidence_hints=hints)


def _compliance_page(
    request: HttpRequest, release: Release, form: ComplianceForm, sign_form: SignForm
) -> HttpResponse:
    current = services.compliance_of(release)
    answers = current.assessment.answers if current.assessment else {}
    rows = [
        (r, ComplianceStatus(answers[r.clause]["status"]).label if r.clause in answers
         else "Not assessed", answers.get(r.clause, {}).get("evidence", ""))
        for r in REQUIREMENTS
    ]  # fmt: skip
    return product_page(
        request, "reports/compliance.html", release.product, release=release, form=form,
        compliance=current, sign_form=sign_form, rows=rows,
    )  # fmt: skip


def _evidence_hints(request: HttpRequest, product: Product) -> dict[str, str]:
    """For each requirement, where its evidence is kept, as a link into clinsafe."""
    pages = {
        Evidence.PLAN: reverse("plan-document", args=[product.slug, "html"]),
        Evidence.CSO: reverse("product-cso", args=[product.slug]),
        Evidence.HAZARD_LOG: reverse("hazard-log", args=[product.slug]),
        Evidence.ARGUMENT: reverse("argument", args=[product.slug]),
        Evidence.REPORT: reverse("documents", args=[product.slug]),
        Evidence.RELEASE: reverse("release-list", args=[product.slug]),
        Evidence.HEALTH: reverse("product-health", args=[product.slug]),
        # Each record's history is on its page; the hazard log leads to them all.
        Evidence.AUDIT: reverse("hazard-log", args=[product.slug]),
        Evidence.INCIDENTS: reverse("incident-log", args=[product.slug]),
        Evidence.CHANGES: reverse("change-list", args=[product.slug]),
    }
    return {
        r.clause: f"{r.evidence.value}: {request.build_absolute_uri(pages[r.evidence])}"
        for r in REQUIREMENTS
    }


def supplier_bundle_schema(request: HttpRequest) -> HttpResponse:
    """The bundle format, published for anyone who reads or writes bundles."""
    return HttpResponse(SCHEMA_PATH.read_bytes(), content_type="application/schema+json")


@login_required
def supplier_bundle(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    content = export_bundle(release)
    return download(content, JSON, f"supplier-bundle-{slug}-{version}.json")


# --- importing a spreadsheet hazard log ----------------------------------------------------


@login_required
def log_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a spreadsheet; it is kept for its preview and import."""
    product = product_or_404(request, slug)
    require(request.user, Action.IMPORT_HAZARD_LOG, product.organisation)
    upload = UploadForm(request.POST or None, request.FILES or None)
    job = submit(
        upload,
        lambda: upload_for_import(
            actor=request.user,
            product=product,
            data=upload.cleaned_data["file"].read(),
            filename=upload.cleaned_data["file"].name,
        ),
    )
    if job is not None:
        return redirect("hazard-log-import-job", product.slug, job.pk)
    recent = ImportJob.objects.filter(product=product).select_related("uploaded_by")[:10]
    return product_page(request, "reports/log_import.html", product, upload=upload, jobs=recent)


def _job_or_404(request: HttpRequest, slug: str, pk: int) -> ImportJob:
    product = product_or_404(request, slug)
    require(request.user, Action.IMPORT_HAZARD_LOG, product.organisation)
    return get_object_or_404(ImportJob.objects.select_related("product"), product=product, pk=pk)


@login_required
def log_import_job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An uploaded file: its preview and mapping until imported, then its progress, then
    what came of it."""
    job = _job_or_404(request, slug, pk)
    product = job.product
    if job.state != ImportState.UPLOADED:
        return product_page(request, "reports/log_import_job.html", product, job=job,
                            progress=progress_of(progress_key(job)))  # fmt: skip
    data = bytes(job.data)
    layout = find_layout(read_tables(data, job.filename))[1]
    form = MappingForm(request.POST or None, layout=layout)
    options = form.options() if form.is_bound and form.is_valid() else ImportOptions()
    if request.POST.get("action") == "import" and form.is_bound and form.is_valid():
        started = run_service(
            form, lambda: start_import(actor=request.user, job=job, options=options)
        )
        if started is not None:
            return redirect("hazard-log-import-job", product.slug, job.pk)
    result = preview_hazard_log(actor=request.user, product=product, data=data,
                                filename=job.filename, options=options)  # fmt: skip
    return product_page(request, "reports/log_import.html", product, form=form, result=result,
                        layout=layout, job=job)  # fmt: skip


@login_required
def rating_mismatch_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The CSO's decision on a rating an imported file stated and the matrix contradicts."""
    product = product_or_404(request, slug)
    mismatch = get_object_or_404(
        RatingMismatch.objects.select_related("hazard__product__organisation"),
        hazard__product=product,
        pk=pk,
    )
    require(request.user, Action.REVIEW_HAZARD, product.organisation)
    form = RatingDecisionForm(request.POST or None)
    if request.method == "POST":
        decided = submit(
            form,
            lambda: services.decide_rating_mismatch(
                actor=request.user, mismatch=mismatch, decision=form.cleaned_data["decision"]
            ),
        )
        if decided is not None:
            messages.success(request, f"Your decision on {mismatch.hazard.reference}'s "
                             f"{mismatch.stage} rating is recorded.")  # fmt: skip
            return redirect("hazard-detail", product.slug, mismatch.hazard.number)
    return product_page(request, "reports/rating_mismatch_decide.html", product,
                        mismatch=mismatch, form=form)  # fmt: skip


@login_required
def log_import_progress(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    """How far an import has got, for its page to show as it runs."""
    job = _job_or_404(request, slug, pk)
    done, total = progress_of(progress_key(job)) or (0, 0)
    return JsonResponse({"state": job.state, "done": done, "total": total})
