"""Use cases of the safety argument and its evidence. Each checks permission, validates,
writes in one transaction and records its audit event; the web views, the API and the CLI
call these.

Edits to the argument carry the ``revision`` the editor loaded, so a concurrent change is
refused rather than overwritten.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinsafe.argument.graph import (
    ARTEFACT_VERSION,
    MAX_TEXT,
    Argument,
    Declaration,
    DefeaterKind,
    DoubtStatus,
    Edge,
    Kind,
    Link,
    Node,
    StrategyKind,
    link_problem,
    to_document,
)
from clinsafe.argument.gsn_yaml import ArgumentFileError, Problem, parse_files
from clinsafe.argument.models import (
    Argument as ArgumentRecord,
)
from clinsafe.argument.models import (
    ArgumentSnapshot,
    Artefact,
    ArtefactKind,
    ArtefactVersion,
)
from clinsafe.argument.pattern import PatternControl, PatternHazard, argue_over_hazards
from clinsafe.audit.chain import digest
from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.formats import person_name
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.records import lock_for_edit
from clinsafe.core.services import product_appointments, require_appointment
from clinsafe.hazards.models import Control, ControlStatus, Hazard, HazardStatus
from clinsafe.products.models import Product, Release

# What a person may set on each kind of node; a doubt's status is settled separately.
NODE_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.CLAIM: ("text", "declaration", "hazard", "residual_rating", "reuse"),
    Kind.STRATEGY: ("text", "strategy_kind", "side_condition"),
    Kind.EVIDENCE: ("text", "artefact", "control"),
    Kind.CONTEXT: ("text",),
    Kind.ASSUMPTION: ("text",),
    Kind.JUSTIFICATION: ("text",),
    Kind.DEFEATER: ("text", "defeater_kind"),
}
MAX_CONTENT = 20 * 1024 * 1024
MAX_IMPORT_CHARS = 2_000_000
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def argument_of(product: Product) -> ArgumentRecord:
    """The product's argument record to read; an unsaved empty one if it has none yet, so
    reading never writes."""
    return ArgumentRecord.objects.filter(product=product).first() or ArgumentRecord(product=product)


# --- nodes and links ---------------------------------------------------------------------------


def add_node(
    *,
    actor: Actor,
    product: Product,
    revision: int | None,
    kind: str,
    parent: str = "",
    link: str = "",
    **fields: Any,
) -> Node:
    """Add a node of ``kind`` (its id is the next free one, e.g. G7), linked from ``parent``
    by ``link`` when given."""
    actor = require(actor, Action.EDIT_ARGUMENT, product.organisation)
    node_kind = _choice(Kind, kind, "kind")
    with transaction.atomic():
        record = _lock(product, revision)
        graph = record.graph
        node = _node(product, Node(graph.next_id(node_kind), node_kind, ""), fields)
        if node_kind == Kind.DEFEATER:
            node = replace(node, status=DoubtStatus.OPEN)
        graph = graph.with_node(node)
        if parent or link:
            graph = _linked(graph, Edge(parent, node.id, _choice(Link, link, "link")), "parent")
        _save(actor, record, graph, EventType.ARGUMENT_NODE_ADDED, {"node": asdict(node),
              "parent": parent, "link": link})  # fmt: skip
    return node


def edit_node(
    *, actor: Actor, product: Product, revision: int | None, node_id: str, **changes: Any
) -> Node:
    """Change what a node says; its kind and links stay."""
    actor = require(actor, Action.EDIT_ARGUMENT, product.organisation)
    with transaction.atomic():
        record = _lock(product, revision)
        graph = record.graph
        before = _existing(graph, node_id)
        node = _node(product, before, changes)
        diff = {
            k: [v, getattr(node, k)] for k, v in asdict(before).items() if getattr(node, k) != v
        }
        if not diff:
            return node
        _save(actor, record, graph.with_node(node), EventType.ARGUMENT_NODE_EDITED,
              {"node": node_id, "changes": diff})  # fmt: skip
    return node


def remove_node(*, actor: Actor, product: Product, revision: int | None, node_id: str) -> Node:
    """Take a node and its links out of the argument. Doubts are never removed: a doubt is
    settled, so that the record shows it was raised."""
    actor = require(actor, Action.EDIT_ARGUMENT, product.organisation)
    with transaction.atomic():
        record = _lock(product, revision)
        graph = record.graph
        node = _existing(graph, node_id)
        if node.kind == Kind.DEFEATER:
            raise ValidationError(
                {"__all__": f"{node_id} is a doubt; doubts stay on record. Settle it instead "
                 "(eliminated, sustained or accepted as residual)."}
            )  # fmt: skip
        _save(actor, record, graph.without_node(node_id), EventType.ARGUMENT_NODE_REMOVED,
              {"node": asdict(node)})  # fmt: skip
    return node


def link_nodes(
    *, actor: Actor, product: Product, revision: int | None, source: str, target: str, link: str
) -> Edge:
    """Link two nodes, as GSN allows: no link GSN forbids and no circular reasoning. A claim
    marked as needing support is asserted once it is supported."""
    actor = require(actor, Action.EDIT_ARGUMENT, product.organisation)
    edge = Edge(source, target, _choice(Link, link, "link"))
    with transaction.atomic():
        record = _lock(product, revision)
        graph = _linked(record.graph, edge, "target")
        _save(actor, record, graph, EventType.ARGUMENT_LINKED, asdict(edge))
    return edge


def unlink_nodes(
    *, actor: Actor, product: Product, revision: int | None, source: str, target: str, link: str
) -> Edge:
    actor = require(actor, Action.EDIT_ARGUMENT, product.organisation)
    edge = Edge(source, target, _choice(Link, link, "link"))
    with transaction.atomic():
        record = _lock(product, revision)
        graph = record.graph
        if edge not in graph.edges:
            raise ValidationError({"link": f"{source} has no '{link}' link to {target}."})
        _save(actor, record, graph.without_edge(edge), EventType.ARGUMENT_UNLINKED,
              asdict(edge))  # fmt: skip
    return edge


def settle_doubt(
    *,
    actor: Actor,
    product: Product,
    revision: int | None,
    node_id: str,
    status: str,
    rationale: str = "",
) -> Node:
    """Decide a doubt: eliminated (a claim or evidence in the argument answers it), sustained
    (it holds), open again, or accepted as residual, which only the product's CSO may do,
    with a rationale, under their name."""
    actor = require(actor, Action.SETTLE_DOUBT, product.organisation)
    new_status = _choice(DoubtStatus, status, "status")
    rationale = rationale.strip()
    accepted_by = ""
    if new_status == DoubtStatus.ACCEPTED:
        require_appointment(actor, product)
        if not rationale:
            raise ValidationError(
                {"rationale": "Say why the doubt can be carried as residual, and what limits it."}
            )
        accepted_by = person_name(actor)
    with transaction.atomic():
        record = _lock(product, revision)
        graph = record.graph
        doubt = _existing(graph, node_id)
        if doubt.kind != Kind.DEFEATER:
            raise ValidationError({"__all__": f"{node_id} is a {doubt.kind}, not a doubt."})
        answers = [n.id for n in graph.parents(node_id, Link.CHALLENGES)]
        if new_status == DoubtStatus.ELIMINATED and not answers:
            raise ValidationError(
                {"status": f"Link the claim or evidence that answers {node_id} (it challenges "
                 "the doubt) before marking it eliminated."}
            )  # fmt: skip
        if doubt.status == new_status:
            raise ValidationError({"status": f"{node_id} is already {new_status}."})
        settled = replace(doubt, status=new_status, rationale=rationale, accepted_by=accepted_by)
        _save(actor, record, graph.with_node(settled), EventType.DOUBT_SETTLED,
              {"node": node_id, "changes": {"status": [str(doubt.status), str(new_status)]},
               "answered_by": answers}, reason=rationale)  # fmt: skip
    return settled


def argue_over_all_hazards(*, actor: Actor, product: Product) -> list[str]:
    """Build, or bring up to date, the standard argument over every hazard in the log that is
    not closed. Adds only; what is there stays. Returns the ids of the nodes added."""
    actor = require(actor, Action.EDIT_ARGUMENT, product.organisation)
    with transaction.atomic():
        record = _lock_current(product)
        graph, added = argue_over_hazards(
            record.graph,
            product=product.name,
            intended_use=product.intended_use,
            hazards=_pattern_hazards(product),
        )
        if graph != record.graph:
            _save(actor, record, graph, EventType.ARGUMENT_BUILT, {"added": added})
    return added


def import_argument(
    *, actor: Actor, product: Product, files: list[tuple[str, str]], revision: int | None = None
) -> Argument:
    """Replace the product's argument with the one in gsn2x YAML ``files`` (name, text): one
    file, or its modules in several. A file that is not a valid argument is refused with each
    line and reason, and nothing changes."""
    actor = require(actor, Action.EDIT_ARGUMENT, product.organisation)
    if sum(len(text) for _name, text in files) > MAX_IMPORT_CHARS:
        raise ValidationError(
            {"text": f"An argument's files are limited to {MAX_IMPORT_CHARS:,} characters."}
        )
    parsed = parse_files(files)
    where = parsed.files or {}

    def problem(node: str, message: str) -> Problem:
        return Problem(parsed.lines[node], message, file=where.get(node, ""))

    problems = []
    known = set(_artefact_references(product))
    accepted = [n for n in parsed.argument.nodes if n.status == DoubtStatus.ACCEPTED]
    if accepted and not product_appointments(product, actor):
        problems += [problem(n.id, f"{n.id} is accepted as residual; only the product's CSO "
                             "may import that") for n in accepted]  # fmt: skip
    for node in parsed.argument.nodes:
        if node.artefact and node.artefact not in known:
            message = (
                f"{node.id} points at {node.artefact}, which is not recorded for {product.name}"
            )
            problems.append(problem(node.id, message))
    if problems:
        raise ArgumentFileError(sorted(problems, key=lambda p: (p.file, p.line)))
    with transaction.atomic():
        record = _lock(product, revision) if revision is not None else _lock_current(product)
        before = {n.id for n in record.graph.nodes}
        after = {n.id for n in parsed.argument.nodes}
        _save(actor, record, parsed.argument, EventType.ARGUMENT_IMPORTED, {
            "nodes": len(after), "added": sorted(after - before),
            "removed": sorted(before - after), "digest": digest(to_document(parsed.argument)),
        })  # fmt: skip
    return parsed.argument


def put_forward(*, actor: Actor, release: Release) -> ArgumentSnapshot:
    """The CSO puts the product's argument, as it stands, forward for ``release``: the gate
    checks this copy, and a sign-off covers it. Taken again while the release is open."""
    product = release.product
    actor = require(actor, Action.PUT_FORWARD_ARGUMENT, product.organisation)
    require_appointment(actor, product)
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.is_closed:
            raise ValidationError(
                {"__all__": f"Release {release.version} is {release.get_stage_display().lower()};"
                 " what was issued is frozen."}
            )  # fmt: skip
        record = argument_of(product)
        if not record.graph.nodes:
            raise ValidationError(
                {"__all__": f"{product.name} has no safety argument yet: build one first."}
            )
        snapshot, _ = ArgumentSnapshot.objects.update_or_create(
            release=release,
            defaults={
                "document": record.document,
                "digest": digest(record.document),
                "argument_revision": record.revision,
                "taken_by": actor,
                "taken_by_name": person_name(actor),
                "taken_at": timezone.now(),
            },
        )
        record_event(
            EventType.ARGUMENT_PUT_FORWARD,
            actor=actor,
            subject=release,
            organisation=product.organisation,
            data={"argument_revision": record.revision, "digest": snapshot.digest},
        )
    return snapshot


# --- evidence artefacts ------------------------------------------------------------------------


def record_artefact(
    *, actor: Actor, product: Product, title: str, kind: str, location: str = ""
) -> Artefact:
    """Record a report, review, analysis, CI run or document that evidence can point at; it
    gets the next never-used reference AR-nnn."""
    actor = require(actor, Action.RECORD_EVIDENCE, product.organisation)
    artefact = Artefact(
        product=product,
        number=0,
        title=title.strip(),
        kind=kind,
        location=location.strip(),
        created_by=actor,
    )
    if kind not in ArtefactKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(ArtefactKind.labels)}."})
    artefact.full_clean(exclude=["number"])
    with transaction.atomic():
        record = _lock_current(product)
        artefact.number = record.next_artefact_number
        record.next_artefact_number += 1
        record.save(update_fields=["next_artefact_number"])
        artefact.save()
        record_event(
            EventType.ARTEFACT_RECORDED,
            actor=actor,
            subject=artefact,
            organisation=product.organisation,
            data={"title": artefact.title, "kind": kind, "location": artefact.location},
        )
    return artefact


def add_artefact_version(
    *,
    actor: Actor,
    artefact: Artefact,
    label: str = "",
    release: Release | None = None,
    location: str = "",
    content: bytes | None = None,
    filename: str = "",
    sha256: str = "",
    valid_until: date | None = None,
) -> ArtefactVersion:
    """Record a version of ``artefact`` (v1, v2, …), produced by the person recording it. Its
    SHA-256 is computed from an uploaded file, or given (e.g. by a CI run)."""
    product = artefact.product
    actor = require(actor, Action.RECORD_EVIDENCE, product.organisation)
    if release is not None and release.product_id != product.pk:
        raise ValidationError({"release": "The release must be one of the artefact's product."})
    version = ArtefactVersion(
        artefact=artefact,
        number=0,
        label=label.strip(),
        release=release,
        location=location.strip(),
        produced_by=actor,
        valid_until=valid_until,
    )
    _set_content(version, content, filename, sha256)
    version.full_clean(exclude=["number", "artefact"])
    with transaction.atomic():
        Artefact.objects.select_for_update().get(pk=artefact.pk)
        version.number = max(artefact.versions.values_list("number", flat=True), default=0) + 1
        version.save()
        record_event(
            EventType.ARTEFACT_VERSION_ADDED,
            actor=actor,
            subject=artefact,
            organisation=product.organisation,
            data={
                "version": version.reference,
                "label": version.label,
                "release": release.version if release else "",
                "sha256": version.sha256,
                "valid_until": valid_until,
            },
        )
    return version


def record_artefact_content(
    *,
    actor: Actor,
    version: ArtefactVersion,
    content: bytes | None = None,
    filename: str = "",
    sha256: str = "",
) -> ArtefactVersion:
    """Record the content of an artefact version as it is now (uploaded again, or its hash as
    fetched). If it differs from what was reviewed, evidence on it is suspect until it is
    reviewed again."""
    product = version.artefact.product
    actor = require(actor, Action.RECORD_EVIDENCE, product.organisation)
    with transaction.atomic():
        version = ArtefactVersion.objects.select_for_update().get(pk=version.pk)
        before = version.sha256
        _set_content(version, content, filename, sha256)
        if version.sha256 == before:
            return version
        version.save()
        record_event(
            EventType.ARTEFACT_CONTENT_RECORDED,
            actor=actor,
            subject=version.artefact,
            organisation=product.organisation,
            data={"version": version.reference, "changes": {"sha256": [before, version.sha256]}},
        )
    return version


def review_artefact_version(*, actor: Actor, version: ArtefactVersion) -> ArtefactVersion:
    """Record that ``actor`` reviewed the artefact version as its content stands now."""
    product = version.artefact.product
    actor = require(actor, Action.REVIEW_EVIDENCE, product.organisation)
    with transaction.atomic():
        version = ArtefactVersion.objects.select_for_update().get(pk=version.pk)
        version.reviewed_by, version.reviewed_at = actor, timezone.now()
        version.reviewed_sha256 = version.sha256
        version.save(update_fields=["reviewed_by", "reviewed_at", "reviewed_sha256"])
        record_event(
            EventType.ARTEFACT_REVIEWED,
            actor=actor,
            subject=version.artefact,
            organisation=product.organisation,
            data={"version": version.reference, "sha256": version.sha256,
                  "self_review": version.produced_by_id == actor.pk},
        )  # fmt: skip
    return version


# --- shared steps ------------------------------------------------------------------------------


def _lock(product: Product, revision: int | None) -> ArgumentRecord:
    """The argument, locked, refused if it moved on from the ``revision`` the editor loaded."""
    return lock_for_edit(_stored(product), revision, field="revision")


def _lock_current(product: Product) -> ArgumentRecord:
    """The argument as it is now, locked until the transaction ends."""
    return ArgumentRecord.objects.select_for_update().get(pk=_stored(product).pk)


def _stored(product: Product) -> ArgumentRecord:
    """The product's argument record, made empty the first time it is written to."""
    record, _ = ArgumentRecord.objects.get_or_create(product=product)
    return record


def _save(
    actor: Any,
    record: ArgumentRecord,
    graph: Argument,
    event: EventType,
    data: dict[str, Any],
    reason: str = "",
) -> None:
    record.document = to_document(graph)
    record.revision += 1
    record.save()
    record_event(
        event,
        actor=actor,
        subject=record,
        organisation=record.product.organisation,
        data={**data, "revision": record.revision},
        reason=reason,
    )


def _existing(graph: Argument, node_id: str) -> Node:
    if node_id not in graph.by_id:
        raise ValidationError({"node": f"The argument has no node {node_id!r}."})
    return graph.by_id[node_id]


def _linked(graph: Argument, edge: Edge, field: str) -> Argument:
    """``graph`` with ``edge``, refused if GSN does not allow it or it closes a circle."""
    source = graph.by_id.get(edge.source)
    target = graph.by_id.get(edge.target)
    if source is None or target is None:
        missing = edge.source if source is None else edge.target
        raise ValidationError({field: f"The argument has no node {missing!r}."})
    problem = link_problem(source, target, edge.link)
    if problem:
        raise ValidationError({"link": problem})
    if edge in graph.edges:
        raise ValidationError({"link": f"{edge.source} already has that link to {edge.target}."})
    if edge.source == edge.target or _reaches(graph, edge.target, edge.source):
        raise ValidationError(
            {"link": f"Linking {edge.source} to {edge.target} would make circular reasoning: "
             f"{edge.target} already leads back to {edge.source}."}
        )  # fmt: skip
    if edge.link == Link.SUPPORTED_BY and source.declaration == Declaration.UNDEVELOPED:
        # Support given: the claim no longer waits for it (GSN has one or the other).
        graph = graph.with_node(replace(source, declaration=Declaration.ASSERTED))
    return graph.with_edge(edge)


def _reaches(graph: Argument, start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        for edge in graph.edges:
            if edge.source == current and edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    return False


def _node(product: Product, node: Node, fields: dict[str, Any]) -> Node:
    """``node`` with ``fields`` set, each checked; errors name the field and the rule."""
    allowed = NODE_FIELDS[node.kind]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(
            {f: f"A {node.kind} has no {f.replace('_', ' ')}." for f in sorted(unknown)}
        )
    values = {**asdict(node), **fields}
    errors: dict[str, str] = {}
    text = str(values.get("text") or "").strip()
    if not text:
        errors["text"] = f"Say what the {node.kind} states."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"At most {MAX_TEXT} characters."
    values["text"] = text
    for field, enum in (("declaration", Declaration), ("strategy_kind", StrategyKind),
                        ("defeater_kind", DefeaterKind)):  # fmt: skip
        if field in allowed:
            try:
                values[field] = enum(values[field]) if values[field] not in (None, "") else None
            except ValueError:
                errors[field] = f"Choose one of: {', '.join(e.value for e in enum)}."
    if node.kind == Kind.CLAIM:
        values["declaration"] = values["declaration"] or Declaration.ASSERTED
        values["reuse"] = bool(values["reuse"])
        _claim_fields(product, values, errors)
    if node.kind == Kind.STRATEGY and not values["strategy_kind"]:
        errors["strategy_kind"] = "Say what kind of strategy it is (e.g. decomposition)."
    if node.kind == Kind.STRATEGY:
        values["side_condition"] = str(values["side_condition"] or "").strip()[:MAX_TEXT]
    if node.kind == Kind.DEFEATER and not values["defeater_kind"]:
        errors["defeater_kind"] = "Say whether the doubt rebuts, undermines or undercuts."
    if node.kind == Kind.EVIDENCE:
        _evidence_fields(product, values, errors)
    if errors:
        raise ValidationError(errors)
    return Node(**values)


def _claim_fields(product: Product, values: dict[str, Any], errors: dict[str, str]) -> None:
    values["hazard"] = str(values["hazard"] or "").strip().upper()
    if values["hazard"]:
        number = values["hazard"][2:] if values["hazard"].startswith("H-") else ""
        exists = (
            number.isdigit()
            and Hazard.objects.in_log().filter(product=product, number=int(number)).exists()
        )
        if not exists:
            errors["hazard"] = f"{values['hazard']} is not a hazard in the log of {product.name}."
    rating = values["residual_rating"]
    if rating in ("", None):
        values["residual_rating"] = None
    elif str(rating) in {"1", "2", "3", "4", "5"}:
        values["residual_rating"] = int(rating)
    else:
        errors["residual_rating"] = "A residual rating is a whole number from 1 to 5."
    if values["residual_rating"] is not None and not values["hazard"]:
        errors["residual_rating"] = "Only a claim about a hazard states its residual rating."


def _evidence_fields(product: Product, values: dict[str, Any], errors: dict[str, str]) -> None:
    artefact = str(values["artefact"] or "").strip()
    control = str(values["control"] or "").strip().upper()
    values["artefact"], values["control"] = artefact, control
    if bool(artefact) == bool(control):
        errors["artefact"] = (
            "Point the evidence at one artefact version, or at one control's verification."
        )
    elif artefact and (
        not ARTEFACT_VERSION.match(artefact) or artefact not in _artefact_references(product)
    ):
        errors["artefact"] = f"{artefact} is not a recorded artefact version of {product.name}."
    elif control and not any(
        c.reference == control
        for c in Control.objects.filter(product=product, withdrawn_at__isnull=True)
    ):
        errors["control"] = f"{control} is not a control of {product.name}."


def _artefact_references(product: Product) -> list[str]:
    return [
        f"AR-{a:03d} v{v}"
        for a, v in ArtefactVersion.objects.filter(artefact__product=product).values_list(
            "artefact__number", "number"
        )
    ]


def _pattern_hazards(product: Product) -> list[PatternHazard]:
    hazards = (
        Hazard.objects.in_log()
        .filter(product=product)
        .exclude(status=HazardStatus.CLOSED)
        .with_current_risk()
        .prefetch_related("controls")
    )
    return [
        PatternHazard(
            reference=h.reference,
            title=h.title,
            residual_rating=h.residual_rating,  # type: ignore[attr-defined]
            controls=tuple(
                PatternControl(
                    c.reference,
                    c.description.strip().splitlines()[0][:200],
                    c.status == ControlStatus.VERIFIED,
                )
                for c in h.controls.all()
                if not c.is_withdrawn
            ),
        )
        for h in hazards
    ]


def _set_content(
    version: ArtefactVersion, content: bytes | None, filename: str, sha256: str
) -> None:
    if content is not None:
        if len(content) > MAX_CONTENT:
            raise ValidationError({"content": f"Files are limited to {MAX_CONTENT // 2**20} MB."})
        version.content = content
        version.filename = filename.strip()[:200]
        version.sha256 = hashlib.sha256(content).hexdigest()
    elif sha256:
        sha256 = sha256.strip().lower()
        if not SHA256.match(sha256):
            raise ValidationError({"sha256": "A SHA-256 is 64 hexadecimal characters."})
        version.content, version.filename, version.sha256 = None, "", sha256


def _choice(enum: Any, value: str, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ValidationError(
            {field: f"{value!r} is not one of: {', '.join(e.value for e in enum)}."}
        ) from None
