"""The safety argument's pages: the diagram, outline and findings; a page per node; the
evidence artefacts. Short views that find the record, call a service and respond."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinsafe.argument import forms as argument_forms
from clinsafe.argument import services
from clinsafe.argument.assessment import Checked, check_release, check_working
from clinsafe.argument.checks import RULES
from clinsafe.argument.diagram import DiagramUnavailable, neighbourhood, outline, render_svg
from clinsafe.argument.graph import Kind
from clinsafe.argument.gsn_yaml import ArgumentFileError, dump, dump_files
from clinsafe.argument.models import Artefact, ArtefactVersion
from clinsafe.audit.services import history_of
from clinsafe.core.errors import StaleEdit
from clinsafe.core.forms import run_service, submit
from clinsafe.core.http import download
from clinsafe.core.permissions import Action, require
from clinsafe.gate.views import release_or_404
from clinsafe.hazards.views import product_or_404, product_page
from clinsafe.products.models import Product


def _page(request: HttpRequest, product: Product, checked: Checked, **context: Any) -> HttpResponse:
    """The argument page, for the working argument or the one put forward for a release."""

    def url(node_id: str) -> str:
        return reverse("argument-node", args=[product.slug, node_id])

    try:
        svg, diagram_error = render_svg(checked.argument, checked.report, url), ""
    except DiagramUnavailable as error:
        svg, diagram_error = "", str(error)
    roots, outside = outline(checked.argument, checked.report)
    return product_page(
        request,
        "argument/argument.html",
        product,
        checked=checked,
        report=checked.report,
        rules=RULES,
        svg=svg,
        diagram_error=diagram_error,
        roots=roots,
        outside=outside,
        **context,
    )


@login_required
def argument_page(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    checked = check_working(product)
    snapshots = product.releases.filter(argument_snapshot__isnull=False).select_related(
        "argument_snapshot"
    )
    return _page(request, product, checked, snapshots=snapshots, kinds=list(Kind),
                 history=history_of(services.argument_of(product))[:20])  # fmt: skip


@login_required
def release_argument(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    checked = check_release(release)
    if checked is None:
        raise Http404(f"No argument has been put forward for release {version}.")
    return _page(request, release.product, checked, release=release)


@login_required
@require_POST
def argument_build(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    added = _try(request, lambda: services.argue_over_all_hazards(actor=request.user,
                 product=product))  # fmt: skip
    if added is not None:
        messages.success(
            request,
            f"Argued over all hazards: {len(added)} nodes added ({', '.join(added) or 'none'})."
            if added else "The argument already covers every hazard; nothing was added.",
        )  # fmt: skip
    return redirect("argument", slug=slug)


@login_required
def argument_export(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    graph = services.argument_of(product).graph
    if not graph.modules:
        return download(dump(graph), "application/yaml; charset=utf-8", f"{slug}-argument.gsn.yaml")
    # Kept in modules: the files as they were imported, in one zip.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in dump_files(graph):
            bundle.writestr(Path(name).name, text)
    return download(out.getvalue(), "application/zip", f"{slug}-argument.zip")


@login_required
def argument_import(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.EDIT_ARGUMENT, product.organisation)
    form = argument_forms.ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if form.is_valid():
        try:
            files = [(f.name, f.read().decode("utf-8")) for f in form.cleaned_data["file"]]
            graph = run_service(form, lambda: services.import_argument(
                actor=request.user, product=product, files=files))  # fmt: skip
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
            graph = None
        except ArgumentFileError as error:
            problems = error.problems
            form.add_error("file", f"The file is not a valid argument ({len(problems)} "
                           "problems, listed below); nothing was changed.")  # fmt: skip
            graph = None
        if graph is not None:
            messages.success(request, f"Imported {len(graph.nodes)} nodes.")
            return redirect("argument", slug=slug)
    return product_page(request, "argument/import.html", product, form=form, problems=problems)


@login_required
def argument_put_forward(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.PUT_FORWARD_ARGUMENT, product.organisation)
    form = argument_forms.PutForwardForm(request.POST or None, product=product)
    snapshot = submit(form, lambda: _allowed(lambda: services.put_forward(
        actor=request.user, release=form.cleaned_data["release"])))  # fmt: skip
    if snapshot:
        messages.success(request, f"Argument put forward for release {snapshot.release.version}.")
        return redirect("release-argument", slug=slug, version=snapshot.release.version)
    return product_page(request, "hazards/simple_form.html", product, form=form,
                        subject=product.name, heading="Put the argument forward for a release",
                        button="Put forward")  # fmt: skip


# --- nodes -------------------------------------------------------------------------------------


@login_required
def node_add(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.EDIT_ARGUMENT, product.organisation)
    try:
        kind = Kind(request.GET.get("kind", ""))
    except ValueError:
        raise Http404("Choose a kind of node.") from None
    record = services.argument_of(product)
    form = argument_forms.NodeForm(
        request.POST or None, kind=kind, product=product, graph=record.graph, new=True,
        initial={"revision": record.revision, "parent": request.GET.get("parent", "")},
    )  # fmt: skip
    node = submit(form, lambda: services.add_node(
        actor=request.user, product=product, kind=kind, revision=form.cleaned_data["revision"],
        **form.service_arguments()))  # fmt: skip
    if node:
        messages.success(request, f"{kind.label} {node.id} added.")
        return redirect("argument-node", slug=slug, node_id=node.id)
    return product_page(request, "hazards/simple_form.html", product, form=form,
                        subject=product.name, heading=f"Add a {kind.label.lower()}",
                        button=f"Add {kind.label.lower()}")  # fmt: skip


@login_required
def node_detail(request: HttpRequest, slug: str, node_id: str) -> HttpResponse:
    product = product_or_404(request, slug)
    checked = check_working(product)
    node = checked.argument.by_id.get(node_id)
    if node is None:
        raise Http404(f"The argument has no node {node_id}.")
    graph = checked.argument

    def focus(other: str) -> str:
        return reverse("argument-node", args=[product.slug, other]) + "#neighbours"

    try:
        svg = render_svg(neighbourhood(graph, node_id), checked.report, focus, focus=node_id)
    except DiagramUnavailable:
        svg = ""  # the links table below says the same
    return product_page(
        request,
        "argument/node.html",
        product,
        node=node,
        svg=svg,
        revision=checked.revision,
        findings=checked.report.for_node(node_id),
        rules=RULES,
        outgoing=[e for e in graph.edges if e.source == node_id],
        incoming=[e for e in graph.edges if e.target == node_id],
        link_form=argument_forms.LinkForm(
            graph=graph, source=node_id, initial={"revision": checked.revision}
        ),
        kinds=list(Kind),
    )


@login_required
def node_edit(request: HttpRequest, slug: str, node_id: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.EDIT_ARGUMENT, product.organisation)
    record = services.argument_of(product)
    node = record.graph.by_id.get(node_id)
    if node is None:
        raise Http404(f"The argument has no node {node_id}.")
    initial = {f: getattr(node, f) for f in services.NODE_FIELDS[node.kind]}
    form = argument_forms.NodeForm(
        request.POST or None, kind=node.kind, product=product, graph=record.graph, new=False,
        initial={**initial, "revision": record.revision},
    )  # fmt: skip
    saved = submit(form, lambda: services.edit_node(
        actor=request.user, product=product, node_id=node_id,
        revision=form.cleaned_data["revision"], **form.service_arguments()))  # fmt: skip
    if saved:
        messages.success(request, f"{node_id} saved.")
        return redirect("argument-node", slug=slug, node_id=node_id)
    return product_page(request, "hazards/simple_form.html", product, form=form,
                        subject=product.name, heading=f"Edit {node.kind.label.lower()} {node_id}",
                        button="Save")  # fmt: skip


@login_required
@require_POST
def node_link(request: HttpRequest, slug: str, node_id: str) -> HttpResponse:
    product = product_or_404(request, slug)
    form = argument_forms.LinkForm(request.POST, graph=services.argument_of(product).graph,
                                   source=node_id)  # fmt: skip
    if form.is_valid():
        data = form.cleaned_data
        done = _try(request, lambda: services.link_nodes(
            actor=request.user, product=product, revision=data["revision"], source=node_id,
            target=data["target"], link=data["link"]))  # fmt: skip
        if done:
            messages.success(request, f"{node_id} {data['link']} {data['target']}.")
    else:
        messages.error(request, "Choose a link and the node it goes to.")
    return redirect("argument-node", slug=slug, node_id=node_id)


@login_required
@require_POST
def node_unlink(request: HttpRequest, slug: str, node_id: str) -> HttpResponse:
    product = product_or_404(request, slug)
    source, target = request.POST.get("source", ""), request.POST.get("target", "")
    done = _try(request, lambda: services.unlink_nodes(
        actor=request.user, product=product, revision=_int(request.POST.get("revision")),
        source=source, target=target, link=request.POST.get("link", "")))  # fmt: skip
    if done:
        messages.success(request, f"Link from {source} to {target} removed.")
    return redirect("argument-node", slug=slug, node_id=node_id)


@login_required
@require_POST
def node_remove(request: HttpRequest, slug: str, node_id: str) -> HttpResponse:
    product = product_or_404(request, slug)
    done = _try(request, lambda: services.remove_node(
        actor=request.user, product=product, revision=_int(request.POST.get("revision")),
        node_id=node_id))  # fmt: skip
    if done:
        messages.success(request, f"{node_id} removed from the argument.")
        return redirect("argument", slug=slug)
    return redirect("argument-node", slug=slug, node_id=node_id)


@login_required
def doubt_settle(request: HttpRequest, slug: str, node_id: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.SETTLE_DOUBT, product.organisation)
    record = services.argument_of(product)
    doubt = record.graph.by_id.get(node_id)
    if doubt is None or doubt.kind != Kind.DEFEATER:
        raise Http404(f"The argument has no doubt {node_id}.")
    form = argument_forms.SettleDoubtForm(
        request.POST or None, initial={"revision": record.revision, "status": doubt.status}
    )
    settled = submit(form, lambda: _allowed(lambda: services.settle_doubt(
        actor=request.user, product=product, node_id=node_id, **form.cleaned_data)))  # fmt: skip
    if settled:
        messages.success(request, f"{node_id} is now {settled.status}.")
        return redirect("argument-node", slug=slug, node_id=node_id)
    return product_page(request, "hazards/simple_form.html", product, form=form,
                        subject=f"{node_id}: {doubt.text[:120]}", heading=f"Settle doubt {node_id}",
                        button="Save")  # fmt: skip


# --- evidence artefacts ------------------------------------------------------------------------


@login_required
def artefact_list(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    artefacts = product.artefacts.prefetch_related("versions__release", "versions__reviewed_by",
                                                   "versions__produced_by")  # fmt: skip
    return product_page(request, "argument/artefact_list.html", product, artefacts=artefacts)


@login_required
def artefact_create(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.RECORD_EVIDENCE, product.organisation)
    form = argument_forms.ArtefactForm(request.POST or None)
    artefact = submit(form, lambda: services.record_artefact(
        actor=request.user, product=product, **form.cleaned_data))  # fmt: skip
    if artefact:
        messages.success(request, f"{artefact.reference} recorded. Add its first version.")
        return redirect("artefact-version-add", slug=slug, number=artefact.number)
    return product_page(request, "hazards/simple_form.html", product, form=form,
                        subject=product.name, heading="Record an evidence artefact",
                        button="Record artefact")  # fmt: skip


@login_required
def artefact_version_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    artefact = _artefact(request, slug, number)
    product = artefact.product
    require(request.user, Action.RECORD_EVIDENCE, product.organisation)
    form = argument_forms.ArtefactVersionForm(request.POST or None, request.FILES or None,
                                              product=product)  # fmt: skip
    version = submit(form, lambda: services.add_artefact_version(
        actor=request.user, artefact=artefact, **form.service_arguments()))  # fmt: skip
    if version:
        messages.success(request, f"{version.reference} recorded.")
        return redirect("artefact-list", slug=slug)
    return product_page(request, "argument/artefact_version_form.html", product, form=form,
                        artefact=artefact)  # fmt: skip


@login_required
@require_POST
def artefact_version_review(request: HttpRequest, slug: str, number: int,
                            version: int) -> HttpResponse:  # fmt: skip
    found = _version(request, slug, number, version)
    if _try(request, lambda: services.review_artefact_version(actor=request.user, version=found)):
        messages.success(request, f"You reviewed {found.reference}.")
    return redirect("artefact-list", slug=slug)


@login_required
def artefact_version_download(request: HttpRequest, slug: str, number: int,
                              version: int) -> HttpResponse:  # fmt: skip
    found = _version(request, slug, number, version)
    if found.content is None:
        raise Http404(f"{found.reference} has no file kept in clinsafe.")
    name = found.filename or f"{found.artefact.reference}-v{found.number}"
    return download(bytes(found.content), "application/octet-stream", name)


# --- shared steps ------------------------------------------------------------------------------


def _artefact(request: HttpRequest, slug: str, number: int) -> Artefact:
    product = product_or_404(request, slug)
    return get_object_or_404(Artefact.objects.select_related("product__organisation"),
                             product=product, number=number)  # fmt: skip


def _version(request: HttpRequest, slug: str, number: int, version: int) -> ArtefactVersion:
    artefact = _artefact(request, slug, number)
    return get_object_or_404(ArtefactVersion.objects.select_related("artefact__product"),
                             artefact=artefact, number=version)  # fmt: skip


def _try(request: HttpRequest, action: Callable[[], Any]) -> Any:
    """Call a service for a button; tell the person why if it refuses."""
    try:
        return action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (StaleEdit, PermissionDenied) as error:
        messages.error(request, str(error))
    return None


def _allowed(action: Callable[[], Any]) -> Any:
    """A refusal for want of an appointment is shown on the form, like a validation error."""
    try:
        return action()
    except PermissionDenied as error:
        raise ValidationError({"__all__": str(error)}) from None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
