"""The documents people expect, built from the records as `Document`s.

Each builder reads what it needs once and says plainly when something is not recorded,
so a document never implies more than the records hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from clinsafe.argument.assessment import check_release
from clinsafe.argument.checks import Finding, Report, spelt_out
from clinsafe.argument.diagram import (
    DiagramUnavailable,
    OutlineItem,
    outline,
    pieces,
    render_png,
    render_svg,
)
from clinsafe.argument.graph import Argument, Kind
from clinsafe.argument.models import Artefact, ArtefactKind
from clinsafe.core.cso import CsoPosition, cso_position
from clinsafe.core.formats import long_date, long_datetime, person_name
from clinsafe.core.models import Membership
from clinsafe.deployments import documents as deployments
from clinsafe.deployments.records import deployment_of
from clinsafe.gate.decision import Outcome
from clinsafe.gate.evaluation import evaluate, report
from clinsafe.gate.models import Signed
from clinsafe.hazards.models import HazardStatus
from clinsafe.incidents.models import Incident
from clinsafe.products.models import MedicalDevice, Product, Release
from clinsafe.reports import dcb0129
from clinsafe.reports.document import (
    Document,
    Figure,
    Items,
    Paragraph,
    Section,
    SignatureRow,
    Table,
)
from clinsafe.reports.models import ComplianceStatus, DocumentKind, IssuedDocument
from clinsafe.reports.records import Estimate, HazardRow, LogRecords, read_log
from clinsafe.reports.services import PlanStatus, compliance_of, plan_status
from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity

DRAFT = "Draft: generated live from the records"
# Beyond this many nodes the diagrams would run to dozens of pages: the outline stands in.
DIAGRAM_MAX_NODES = 400
SERIOUS_RATING = 3


# --- Clinical Safety Case Report -----------------------------------------------------------


def safety_case_report(release: Release, status: str = DRAFT) -> Document:
    product = release.product
    records = read_log(product)
    evaluation = evaluate(release, records.gate_log)
    gate = report(evaluation)
    doc = Document(
        kind=DocumentKind.SAFETY_CASE_REPORT,
        title="Clinical Safety Case Report",
        product=product.name,
        version=release.version,
        date=timezone.localdate(),
        status=status,
        signatures=_signatures(
            [s for s in (evaluation.sign_off,) if s] + evaluation.blocks + evaluation.overrides,
            evaluation.snapshot_hash,
        ),
    )
    deployment = deployment_of(product)
    doc.section(
        "Purpose and scope",
        Paragraph(
            deployments.purpose(deployment)
            if deployment
            else f"This report presents the clinical safety case for {product.name} release "
            f"{release.version}, made by {product.organisation.name} under DCB0129. It sets out "
            "the argument and evidence that the release is acceptably safe for its intended "
            "use, the hazards that remain and how their risk is controlled and accepted, and "
            "what a deploying organisation must do under DCB0160."
        ),
    )
    if deployment:
        doc.sections.extend(deployments.deployment_sections(deployment))
    doc.sections.append(_system_description(product))
    doc.sections.append(_risk_management_system(product, records.gate_log.position))
    doc.section(
        "Hazard identification method",
        Paragraph(
            "Hazards are identified by the product's clinical and engineering team in "
            "structured workshops and reviews of each change, and from incidents and "
            "feedback after go-live. Each hazard is recorded with its causes, effects and "
            "potential clinical harm, assessed on the risk matrix of the Clinical Risk "
            "Management Plan before and after controls, and reviewed by the CSO."
        ),
        Paragraph(
            f"The hazard log holds {len(records.hazards)} hazards and "
            f"{len(records.controls)} controls."
        ),
    )
    doc.sections.append(_argument_section(release))
    doc.sections.append(_summary_by_rating(records))
    doc.sections.append(_serious_hazards(records))
    doc.sections.append(_outstanding(records, gate))
    if not deployment:
        doc.sections.append(_transferred_controls(records))
    doc.sections.append(_test_summary(product, release))
    doc.section("Third-party products", _third_party(product))
    doc.section("Incidents since the last report", *_incidents_since(release))
    doc.section("Changes and their safety impact", _changes(release))
    doc.sections.append(_configuration(release))
    if not deployment:
        doc.sections.append(_compliance_section(release))
    doc.sections.append(_decision_section(gate))
    doc.sections.append(_document_control(product, DocumentKind.SAFETY_CASE_REPORT))
    return doc


def _system_description(product: Product) -> Section:
    return Section(
        "System description and intended use",
        [
            Paragraph(product.intended_use or "Not recorded.", label="Intended use:"),
            Paragraph(product.care_settings or "Not recorded.", label="Care settings:"),
            Paragraph(product.intended_users or "Not recorded.", label="Intended users:"),
            Paragraph(product.patient_groups or "Not recorded.", label="Patient groups:"),
            Paragraph(product.get_lifecycle_status_display(), label="Lifecycle:"),
        ],
    )


def _risk_management_system(product: Product, position: CsoPosition) -> Section:
    plan = plan_status(product)
    section = Section(
        "Clinical risk management system and team",
        [
            Paragraph(
                f"Clinical risk is managed under the product's Clinical Risk Management Plan "
                f"({plan.summary}), on the risk matrix of the {NHS_EXAMPLE_SCHEME.name}."
            ),
            _cso_table(position),
            _team_table(product),
        ],
    )
    return section


def _cso_table(position: CsoPosition) -> Table:
    facts = position.facts
    if facts is None:
        return Table(("", ""), (), caption="Clinical Safety Officer", empty="No CSO is appointed.")
    registration = facts.registration
    rows = [
        ("Name", facts.name),
        (
            "Profession and registration",
            f"{registration.profession}, {registration.regulator} {registration.number}"
            + (
                f" (expires {long_date(registration.expires_on)})"
                if registration.expires_on
                else ""
            )
            if registration
            else "No professional registration recorded.",
        ),
        ("Registration current", "Yes" if position.registration_current else "No"),
        (
            "Clinical risk management training",
            f"Last completed {long_date(facts.last_training_on)}"
            if facts.last_training_on
            else "None recorded.",
        ),
        ("Protected time", f"{facts.protected_hours_per_week} hours a week"),
        ("Authority to block a release", "Yes" if facts.can_block_release else "No"),
    ]
    if position.deputies:
        rows.append(("Deputies", ", ".join(person_name(d.user) for d in position.deputies)))
    return Table(("", ""), tuple(rows), caption="Clinical Safety Officer")


def _team_table(product: Product) -> Table:
    members = (
        Membership.objects.filter(organisation=product.organisation)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    return Table(
        ("Person", "Role"),
        tuple((person_name(m.user), m.get_role_display()) for m in members),
        caption="Clinical risk management team",
        empty="No members recorded.",
    )


def _argument_section(release: Release) -> Section:
    section = Section("The safety argument")
    checked = check_release(release)
    if checked is None:
        return section.add(Paragraph("No safety argument has been put forward for this release."))
    snapshot = checked.snapshot
    assert snapshot is not None
    section.add(
        Paragraph(
            f"Argument revision {snapshot.argument_revision}, put forward by "
            f"{person_name(snapshot.taken_by)} on {long_date(snapshot.taken_at)}; SHA-256 "
            f"{snapshot.digest}. Confidence: {checked.report.confidence}. "
            f"{len(checked.report.errors)} errors and "
            f"{len(checked.report.findings) - len(checked.report.errors)} warnings."
        )
    )
    section.add(*_argument_diagrams(checked.argument, checked.report))
    section.add(_argument_outline(checked.argument, checked.report))
    report = checked.report
    if report.findings:
        # One row a check, so a large argument's findings stay short; a lone finding in full.
        by_rule: dict[str, list[Finding]] = {}
        for finding in report.findings:
            by_rule.setdefault(finding.rule, []).append(finding)
        section.add(
            Table(
                ("Check", "Severity", "Where", "Finding"),
                tuple(
                    (
                        found[0].title,
                        str(found[0].severity).capitalize(),
                        ", ".join(f.node or "The argument as a whole" for f in found),
                        spelt_out(found[0].message, checked.argument)
                        if len(found) == 1
                        else f"{len(found)} findings: see the outline above.",
                    )
                    for found in by_rule.values()
                ),
                caption="Findings of the checks",
            )
        )
    return section


def _argument_diagrams(argument: Argument, report: Report) -> list[Paragraph | Figure]:
    """The argument in GSN, a piece to a landscape page, so every node can be read."""
    if len(argument.nodes) > DIAGRAM_MAX_NODES:
        return [
            Paragraph(
                f"The argument has {len(argument.nodes)} nodes, too many to draw page by page: "
                "its diagram is on the argument's page in clinsafe, and the outline below gives "
                "every node."
            )
        ]
    parts = pieces(argument)
    if not parts:
        return [Paragraph("The argument put forward is empty.")]
    try:
        figures: list[Paragraph | Figure] = [
            Figure(render_svg(p.argument, report, lambda node_id: "", prefix=f"gsn{number}"),
                   render_png(p.argument, report), p.title, own_page=True)
            for number, p in enumerate(parts, 1)
        ]  # fmt: skip
    except DiagramUnavailable as error:
        return [Paragraph(f"The diagram could not be drawn: {error} The outline gives it all.")]
    return [
        Paragraph(
            f"The argument is drawn in GSN on the {len(parts)} pages that follow: its top, then "
            "the claims beneath it a few to a page, each with its evidence and the doubts "
            "about it. Claims are rectangles, strategies parallelograms, evidence "
            "circles, context rounded rectangles, doubts red dashed octagons."
        ),
        *figures,
    ]


def _argument_outline(argument: Argument, report: Report) -> Table:
    """The argument as an indented table: each claim, strategy, context and doubt under what
    it belongs to, with the evidence that supports it."""
    roots, outside = outline(argument, report)
    rows: list[tuple[str, str, str, str]] = []
    levels: list[int] = []

    def walk(items: list[OutlineItem], level: int) -> None:
        for item in items:
            node = item.node
            if node.kind == Kind.EVIDENCE:
                continue  # in its claim's evidence column
            evidence = [c.node for c in item.children if c.node.kind == Kind.EVIDENCE]
            rows.append(
                (
                    f"{node.id} {node.text}"
                    + (f" (assurance claim point {', '.join(item.points)})" if item.points else "")
                    + (" (given above)" if item.repeated else ""),
                    node.kind.label,
                    item.words,
                    "\n".join(
                        f"{e.id} {e.text}" + (f" ({e.artefact})" if e.artefact else "")
                        for e in evidence
                    )
                    or "—",
                )
            )
            levels.append(level)
            if not item.repeated:
                walk(item.children, level + 1)

    walk(roots, 0)
    for node in outside:
        rows.append((f"{node.id} {node.text}", node.kind.label, "Not connected to the top claim",
                     "—"))  # fmt: skip
        levels.append(0)
    return Table(
        ("Claim", "Kind", "State", "Evidence"),
        tuple(rows),
        caption="The argument in outline: each part under the claim it belongs to",
        empty="The argument is empty.",
        levels=tuple(levels),
    )


def _summary_by_rating(records: LogRecords) -> Section:
    groups = records.by_residual_rating()
    rows = []
    for rating in [*reversed(NHS_EXAMPLE_SCHEME.ratings), None]:
        hazards = groups.get(rating, [])
        word = NHS_EXAMPLE_SCHEME.acceptability(rating).word if rating else "Not yet assessed"
        rows.append(
            (
                str(rating) if rating else "—",
                word,
                str(len(hazards)),
                ", ".join(h.reference for h in hazards) or "—",
            )
        )
    return Section(
        "Summary of hazards by residual risk",
        [Table(("Residual rating", "Meaning", "Hazards", "References"), tuple(rows))],
    )


def _serious_hazards(records: LogRecords) -> Section:
    section = Section(f"Hazards with residual rating {SERIOUS_RATING} or above")
    serious = [h for h in records.hazards if h.residual and h.residual.rating >= SERIOUS_RATING]
    if not serious:
        section.add(Paragraph(f"No hazard has a residual rating of {SERIOUS_RATING} or above."))
    for hazard in serious:
        section.subsections.append(Section(f"{hazard.reference} {hazard.title}", _in_full(hazard)))
    return section


def _in_full(hazard: HazardRow) -> list[Paragraph | Items | Table | Figure]:
    flags = " ".join(
        f"{stage.capitalize()}: {estimate.flag}"
        for stage, estimate in (("initial", hazard.initial), ("residual", hazard.residual))
        if estimate is not None and estimate.flag
    )
    return [
        *(
            [Paragraph(hazard.file_reference, label="Reference in the imported file:")]
            if hazard.file_reference
            else []
        ),
        Paragraph(hazard.description, label="Hazard:"),
        Paragraph("; ".join(hazard.causes) or "None recorded.", label="Causes:"),
        Paragraph("; ".join(hazard.effects) or "None recorded.", label="Effects:"),
        Paragraph(hazard.harm or "Not recorded.", label="Potential clinical harm:"),
        Paragraph(
            f"initial {_estimate(hazard.initial)}; residual {_estimate(hazard.residual)}",
            label="Risk:",
        ),
        *([Paragraph(flags, label="Stated rating flagged:")] if flags else []),
        Paragraph("", label="Controls:")
        if hazard.controls
        else Paragraph("None.", label="Controls:"),
        Items(
            tuple(
                f"{c.words} Verification: "
                f"{c.verification_evidence or c.verification_link or 'none recorded'}."
                for c in hazard.controls
            )
        ),
        Paragraph(
            hazard.acceptance.words if hazard.acceptance else "Not accepted.",
            label="Acceptance:",
        ),
    ]


def _outstanding(records: LogRecords, gate: dict[str, Any]) -> Section:
    """Open hazards and hazards relying on controls not yet verified, one row each."""

    def unverified(hazard: HazardRow) -> list[str]:
        return [f"{c.reference} ({c.status})" for c in hazard.controls
                if c.status != "verified" and not c.transferred]  # fmt: skip

    waiting = [h for h in records.hazards if h.status == HazardStatus.OPEN or unverified(h)]
    rules = [r for r in gate["rules"] if r["outcome"] != "passed"]
    return Section(
        "Outstanding issues and actions",
        [
            Table(
                ("Hazard", "Status", "Owner", "Residual risk", "Controls not yet verified"),
                tuple(
                    (
                        f"{h.reference} {h.title}",
                        h.status_label,
                        h.owner or "No owner",
                        _estimate(h.residual),
                        ", ".join(unverified(h)) or "—",
                    )
                    for h in waiting
                ),
                caption="Open hazards, and hazards whose controls are not all verified",
                empty="No hazard is open, and every control is verified.",
            ),
            Table(
                ("Gate rule", "Outcome", "What to do"),
                tuple((r["title"], Outcome(r["outcome"]).words, r["message"]) for r in rules),
                caption="Release gate rules not met",
                empty="Every gate rule is met.",
            ),
        ],
    )


def _transferred_controls(records: LogRecords) -> Section:
    transferred = [c for c in records.controls if c.transferred]
    return Section(
        "Controls the deploying organisation must put in place",
        [
            Paragraph(
                "Under DCB0160 the deploying organisation must implement these controls, and "
                "record their implementation in its own safety case."
            ),
            Table(
                ("Control", "For hazards", "Description"),
                tuple((c.reference, ", ".join(c.hazards), c.description) for c in transferred),
                empty="No controls are transferred to the deploying organisation.",
            ),
        ],
    )


def _third_party_lines(product: Product) -> list[str]:
    return [line.strip() for line in product.third_party_products.splitlines() if line.strip()]


def _third_party(product: Product) -> Paragraph | Items:
    lines = _third_party_lines(product)
    return Items(tuple(lines)) if lines else Paragraph("None.")


def _incidents_since(release: Release) -> tuple[Paragraph, Table]:
    previous = (
        IssuedDocument.objects.filter(product=release.product, kind=DocumentKind.SAFETY_CASE_REPORT)
        .exclude(release=release)
        .order_by("-issued_at")
        .first()
    )
    incidents = Incident.objects.filter(product=release.product).prefetch_related("hazards")
    if previous:
        incidents = incidents.filter(created_at__gt=previous.issued_at)
    since = f"since the report of {long_date(previous.issued_at)}" if previous else "to date"
    rows = tuple(
        (
            i.reference,
            f"{i.title} ({long_date(i.occurred_on)})",
            i.get_harm_display(),
            i.get_finding_display() if i.finding else "Awaiting triage",
            ", ".join(h.reference for h in i.hazards.all()) or "None",
            i.get_status_display(),
        )
        for i in incidents.order_by("number")
    )
    return (
        Paragraph(
            f"Safety incidents recorded against {release.product.name} {since}: {len(rows)}. "
            "Each is triaged against the hazard log; hazards an incident realised are "
            "re-assessed before the gate passes."
        ),
        Table(
            ("Ref", "Incident", "Harm", "Finding", "Hazards", "Status"),
            rows,
            empty=f"No safety incidents are recorded against {release.product.name} {since}.",
        ),
    )


def _changes(release: Release) -> Table:
    return Table(
        ("Ref", "Change", "Hazards", "Alters clinical risk", "CSO's conclusion"),
        tuple(
            (
                c.reference,
                f"{c.title} ({c.get_kind_display().lower()})",
                ", ".join(link.hazard.reference for link in c.hazard_links.all()) or "None",
                "Not assessed" if not c.is_assessed else "Yes" if c.alters_clinical_risk else "No",
                c.conclusion or "Not assessed",
            )
            for c in release.changes.prefetch_related("hazard_links__hazard").order_by("number")
        ),
        empty="No changes are recorded against this release.",
    )


def _configuration(release: Release) -> Section:
    return Section(
        "Release configuration",
        [
            Paragraph(release.build_identifier or "Not recorded.", label="Build identifier:"),
            Paragraph(release.summary or "Not recorded.", label="Summary of changes:"),
            Table(
                ("Component", "Version"),
                tuple(sorted(release.components.items())),
                caption="Components",
                empty="No components recorded.",
            ),
            Table(
                ("Setting", "Value"),
                tuple((k, str(v)) for k, v in sorted(release.safety_settings.items())),
                caption="Safety-relevant settings",
                empty="No safety-relevant settings recorded.",
            ),
            Table(
                ("Hazard", "Change"),
                tuple(
                    (f"{link.hazard.reference} {link.hazard.title}", link.get_change_display())
                    for link in release.hazard_links.select_related("hazard")
                ),
                caption="Hazards this release adds, changes or affects",
                empty="None listed.",
            ),
        ],
    )


def _compliance_section(release: Release) -> Section:
    section = Section("DCB0129 compliance assessment")
    compliance = compliance_of(release)
    if compliance.assessment is None:
        return section.add(Paragraph("No compliance assessment is recorded for this release."))
    section.add(Paragraph(compliance.summary))
    answers = compliance.assessment.answers
    section.add(
        Table(
            ("Clause", "Requirement", "Assessment", "Evidence"),
            tuple(
                (
                    r.clause,
                    r.wording,
                    ComplianceStatus(answers[r.clause]["status"]).label
                    if r.clause in answers
                    else "Not assessed",
                    answers.get(r.clause, {}).get("evidence", ""),
                )
                for r in dcb0129.REQUIREMENTS
            ),
        )
    )
    return section


def _decision_section(gate: dict[str, Any]) -> Section:
    section = Section(
        "Release decision and the CSO's statement",
        [Paragraph(f"{gate['decision'].capitalize()}: {gate['message']}", label="Gate decision:")],
    )
    sign_off = gate["sign_off"]
    if sign_off:
        stale = " This sign-off is stale: the records changed since." if sign_off["stale"] else ""
        section.add(
            Paragraph(
                f"{sign_off['statement']} — {sign_off['signer']}, {sign_off['role']}, "
                f"{long_datetime(sign_off['signed_at'])}.{stale}",
                label="CSO's statement:",
            )
        )
    else:
        section.add(Paragraph("The CSO has not signed the release off.", label="CSO's statement:"))
    for block in gate["blocks"]:
        state = "open" if block["open"] else f"lifted by {block['lifted_by']}"
        section.add(
            Paragraph(f"{block['statement']} ({block['signer']}, {state})", label="CSO block:")
        )
    for override in gate["overrides"]:
        section.add(
            Paragraph(
                f"{override['statement']} ({override['signer']}, {override['role']}, "
                f"{long_datetime(override['signed_at'])})",
                label="Override by the accountable executive:",
            )
        )
    return section


def _document_control(product: Product, kind: str) -> Section:
    issued = IssuedDocument.objects.filter(product=product, kind=kind).select_related("release")
    return Section(
        "Document control",
        [
            Paragraph(
                "Generated by clinsafe from the product's records. An issued version is "
                "kept byte for byte; its SHA-256 below identifies it."
            ),
            Table(
                ("Version", "Release", "Issued", "By", "SHA-256"),
                tuple(
                    (
                        str(d.document_version),
                        d.release.version if d.release else "—",
                        long_datetime(d.issued_at),
                        d.issued_by_name,
                        d.sha256,
                    )
                    for d in issued
                ),
                caption="Issued versions",
                empty="No version has been issued yet.",
            ),
        ],
    )


# --- Hazard Log ----------------------------------------------------------------------------


def hazard_log_document(product: Product, release: Release | None = None,
                        status: str = DRAFT) -> Document:  # fmt: skip
    records = read_log(product)
    doc = Document(
        kind=DocumentKind.HAZARD_LOG,
        title="Hazard Log",
        product=product.name,
        version=release.version if release else "",
        date=timezone.localdate(),
        status=status,
    )
    if release is not None:
        evaluation = evaluate(release, records.gate_log)
        doc.signatures = _signatures(
            [s for s in (evaluation.sign_off,) if s], evaluation.snapshot_hash
        )
    doc.section(
        "About this log",
        Paragraph(
            f"Every hazard of {product.name} not withdrawn, with its causes, effects, "
            "potential harm, risk before and after controls on the "
            f"{NHS_EXAMPLE_SCHEME.name}, controls, status, owner and acceptance."
        ),
        _summary_by_rating(records).blocks[0],
    )
    hazards = doc.section("Hazards")
    for hazard in records.hazards:
        hazards.subsections.append(
            Section(
                f"{hazard.reference} {hazard.title}",
                [
                    *_in_full(hazard),
                    Paragraph(
                        hazard.status_label
                        + (f" ({hazard.status_reason})" if hazard.status_reason else ""),
                        label="Status:",
                    ),
                    Paragraph(hazard.owner or "No owner", label="Owner:"),
                ],
            )
        )
    if not records.hazards:
        hazards.add(Paragraph("The hazard log is empty."))
    doc.section(
        "Controls",
        Table(
            ("Control", "Type", "Origin", "Status", "Hazards", "Verification"),
            tuple(
                (
                    f"{c.reference} {c.description}",
                    c.kind_label,
                    c.origin,
                    c.status,
                    ", ".join(c.hazards),
                    c.verification_evidence or c.verification_link or "—",
                )
                for c in records.controls
            ),
            empty="No controls.",
        ),
    )
    doc.sections.append(_document_control(product, DocumentKind.HAZARD_LOG))
    return doc


# --- Clinical Risk Management Plan -----------------------------------------------------------


def risk_management_plan(product: Product) -> Document:
    plan = plan_status(product)
    position = cso_position(product)
    doc = Document(
        kind=DocumentKind.PLAN,
        title="Clinical Risk Management Plan",
        product=product.name,
        version=f"plan version {plan.version}",
        date=timezone.localdate(),
        status=plan.summary,
        signatures=[_row(a, a.snapshot_hash != plan.basis_hash) for a in plan.approvals[:1]],
    )
    doc.section(
        "Scope",
        Paragraph(
            f"This plan sets out how {product.organisation.name} manages the clinical risk of "
            f"{product.name} through its life, under DCB0129: from design, through each "
            "release, to use and decommissioning."
        ),
        *_system_description(product).blocks,
    )
    doc.section(
        "Roles, people and competence",
        Paragraph(
            "Top management is accountable for the process and appoints the Clinical Safety "
            "Officer, who approves this plan, the safety case and each release, and may block "
            "a release. Clinical reviewers assess hazards; engineers raise hazards and "
            "controls and record evidence; the accountable executive accepts rating-4 risk."
        ),
        _cso_table(position),
        _team_table(product),
        _competence_table(product),
    )
    doc.section(
        "Risk matrix and acceptability criteria",
        _matrix_table(),
        Table(
            ("Rating", "Meaning", "Accepted by"),
            tuple(
                (
                    str(r),
                    NHS_EXAMPLE_SCHEME.acceptability(r).meaning,
                    product.organisation.acceptance_policy.level(r).label,
                )
                for r in NHS_EXAMPLE_SCHEME.ratings
            ),
        ),
        Table(("Severity", "Meaning"), tuple((s.label, s.meaning) for s in reversed(Severity))),
        Table(
            ("Likelihood", "Meaning"), tuple((lk.label, lk.meaning) for lk in reversed(Likelihood))
        ),
    )
    doc.section(
        "Activities and when they happen",
        Table(
            ("Activity", "When", "Who"),
            (
                ("Hazard identification", "At design, and for every change", "Whole team"),
                (
                    "Risk estimation and evaluation",
                    "When a hazard is raised or changes",
                    "Clinical reviewers and the CSO",
                ),
                (
                    "Control and verification",
                    "Before the release that relies on it",
                    "Engineers; verified with evidence",
                ),
                ("Safety argument put forward", "For each release", "The CSO"),
                ("Review of rating 3+ and changed hazards", "Before each sign-off", "The CSO"),
                ("Residual risk acceptance", "Before each release", "The CSO or the executive"),
                ("Safety Case Report and Hazard Log issued", "At each sign-off", "The CSO"),
                ("DCB0129 compliance assessment", "For each release", "The CSO"),
                ("Review of this process", "At least yearly", "The CSO and top management"),
            ),
        ),
    )
    doc.section(
        "How incidents and changes feed back",
        Paragraph(
            "Safety incidents reported after go-live are triaged by the CSO or a clinical "
            "reviewer, linked to the hazards they realise (or raise new ones), and the linked "
            "hazards are re-assessed. Every change is assessed for its safety impact; a change "
            "that alters clinical risk gets a new release through the gate and a new Safety "
            "Case Report. This plan is re-approved when the CSO appointment, the intended use "
            "or the risk scheme changes."
        ),
    )
    doc.sections.append(_plan_control(plan))
    return doc


def _competence_table(product: Product) -> Table:
    people = (
        User.objects.filter(memberships__organisation=product.organisation)
        .select_related("registration")
        .prefetch_related("trainings")
        .order_by("last_name", "username")
        .distinct()
    )
    rows = []
    for user in people:
        registration = getattr(user, "registration", None)
        training = max(user.trainings.all(), key=lambda t: t.completed_on, default=None)
        rows.append(
            (
                person_name(user),
                f"{registration.profession} ({registration.regulator_name} {registration.number})"
                if registration
                else "—",
                f"{training.course}, {long_date(training.completed_on)}" if training else "—",
            )
        )
    return Table(("Person", "Registration", "Latest training"), tuple(rows),
                 caption="Competence", empty="No members.")  # fmt: skip


def _matrix_table() -> Table:
    return Table(
        ("Likelihood", *(s.label for s in Severity)),
        tuple(
            (lk.label, *(str(NHS_EXAMPLE_SCHEME.rating(s, lk)) for s in Severity))
            for lk in reversed(Likelihood)
        ),
        caption=f"Risk matrix: {NHS_EXAMPLE_SCHEME.name}",
    )


def _plan_control(plan: PlanStatus) -> Section:
    return Section(
        "Document control",
        [
            Table(
                ("Plan version", "Approved by", "When", "Basis SHA-256"),
                tuple(
                    (
                        str(a.plan_version),
                        person_name(a.signer),
                        long_datetime(a.signed_at),
                        a.snapshot_hash,
                    )
                    for a in plan.approvals
                ),
                caption="Approved versions",
                empty="No version has been approved yet.",
            ),
            Items(tuple(plan.reasons)) if plan.reasons else Paragraph(plan.summary),
        ],
    )


# --- DTAC ----------------------------------------------------------------------------------


def dtac_answers(product: Product, links: dict[str, str]) -> Document:
    """Answers to section C1 (clinical safety) of DTAC 2.0, question by question.
    ``links`` maps document names to addresses, for the answers that point at them."""
    position = cso_position(product)
    plan = plan_status(product)
    records = read_log(product)
    released = (
        Release.objects.filter(product=product, issued_documents__isnull=False)
        .distinct()
        .order_by("-released_at", "-created_at")
        .first()
    )
    doc = Document(
        kind="dtac-clinical-safety",
        title="DTAC 2.0 clinical safety answers (section C1)",
        product=product.name,
        version="",
        date=timezone.localdate(),
        status=DRAFT,
    )
    device = MedicalDevice(product.medical_device)
    undecided = "Not yet decided: record it on the product's description."
    in_progress = "In progress: the Clinical Risk Management Plan is not yet approved. "
    answers = {
        "C1.1.1": undecided if device == MedicalDevice.UNDECIDED
        else ("No." if device == MedicalDevice.NOT_A_DEVICE else f"Yes: {device.label.lower()}."),
        "C1.1.2": undecided if device == MedicalDevice.UNDECIDED
        else ("Yes." if device == MedicalDevice.STANDALONE else "No."),
        "C1.2": f"Yes: {product.intended_use or product.name}",
        "C1.2.1": "Not applicable: the product is in scope of DCB0129.",
        "C1.2.2": ("Yes. " if plan.approvals else in_progress)
        + f"Clinical Risk Management Plan: {plan.summary}. {links.get('plan', '')}",
        "C1.2.3": "Provided. A hazard log on the DCB0129 risk matrix of the "
        f"{NHS_EXAMPLE_SCHEME.name}, risk acceptance at the level the plan sets, a release "
        "gate the CSO holds, a safety case argued in GSN with its evidence, incident and "
        "change management after go-live, and issued documents kept with their SHA-256, with "
        "a hash-chained audit trail.",
        "C1.2.4": (f"Release {released.version}: " if released else "No release issued yet. ")
        + " ".join(v for k, v in links.items() if k in ("report", "hazard_log")),
        "C1.2.5": _dtac_cso(position),
    }  # fmt: skip
    doc.section(
        "Section C1: clinical safety",
        Paragraph(
            "Answers to the clinical safety questions of the Digital Technology Assessment "
            "Criteria 2.0, from the product's records in clinsafe. The questions are given in "
            "summary; answer on the DTAC form itself."
        ),
        Table(
            ("Question", "Asks", "Answer"),
            tuple((number, asks, answers[number]) for number, asks in DTAC_C1),
        ),
    )
    doc.section(
        "What the Clinical Safety Case Report covers (C1.2.4)",
        Table(("DTAC asks for", "Where, and what it says"), _dtac_coverage(product, records)),
    )
    doc.sections.append(_test_summary(product, released))
    return doc


# The questions of DTAC 2.0 section C1, by number, in summary (not the form's wording).
DTAC_C1 = (
    ("C1.1.1", "Does the product, or a component of it, qualify as Software or AI as a "
     "Medical Device under the UK Medical Devices Regulations 2002?"),
    ("C1.1.2", "Is the product a standalone medical device?"),
    ("C1.2", "Does the product provide electronic information to influence, support or manage "
     "the real-time or near-real-time direct care of patients (so DCB0129 applies)?"),
    ("C1.2.1", "If not in scope of DCB0129, why not?"),
    ("C1.2.2", "Have clinical risk management activities complying with DCB0129 been "
     "undertaken?"),
    ("C1.2.3", "Describe the clinical risk management system."),
    ("C1.2.4", "Supply the Clinical Safety Case Report and Hazard Log."),
    ("C1.2.5", "Name the Clinical Safety Officer, their profession and registration."),
)  # fmt: skip


def _dtac_cso(position: CsoPosition) -> str:
    facts = position.facts
    if facts is None:
        return "No Clinical Safety Officer is appointed."
    registration = facts.registration
    if registration is None:
        return f"{facts.name}; no professional registration is recorded."
    return (
        f"{facts.name}, {registration.profession}, {registration.regulator} registration "
        f"{registration.number}."
    )


def _dtac_coverage(product: Product, records: LogRecords) -> tuple[tuple[str, str], ...]:
    """Each item DTAC 2.0 asks the report to cover, with the report's section that does."""
    residual = [h for h in records.hazards if h.residual]
    transferred = [c for c in records.controls if c.transferred]
    needing_action = [c for c in records.controls if c.kind in USER_ACTION_KINDS]
    unverified = [c for c in records.controls if c.status != "verified" and not c.transferred]
    above = [h for h in residual if h.residual and h.residual.rating >= SERIOUS_RATING]
    return (
        ("Scope", "Purpose and scope; system description and intended use."),
        ("Clinical risk management approach", "Clinical risk management system and team; "
         "hazard identification method."),
        ("Hazard assessment", f"{len(records.hazards)} hazards with {len(records.controls)} "
         "controls: summary of hazards by residual risk; the safety argument."),
        ("Test summary", "Test summary: the test reports and CI runs recorded as evidence."),
        ("Known test issues and defects", f"{len(unverified)} controls not yet verified: "
         "outstanding issues and actions."),
        ("Hazards needing user or commissioner action", f"{len(needing_action)} controls by "
         "training, business process or information for safety, and "
         f"{len(transferred)} transferred: controls the deploying organisation must put in "
         "place."),
        ("Risk scheme declared", f"The {NHS_EXAMPLE_SCHEME.name}, in the Clinical Risk "
         "Management Plan."),
        ("Residual risks", f"{len(residual)} hazards with a residual rating: summary of "
         "hazards by residual risk."),
        ("Hazards and risks transferred", f"{len(transferred)} controls transferred to the "
         "deploying organisation."),
        ("Hazards not reduced as low as reasonably practicable", f"{len(above)} hazards with "
         f"residual rating {SERIOUS_RATING} or above, each in full with its acceptance."),
    )  # fmt: skip


# Controls that work only if the users or the deploying organisation act on them.
USER_ACTION_KINDS = frozenset({"training", "business_process", "information"})


def _test_summary(product: Product, release: Release | None) -> Section:
    """The test reports and CI runs recorded as evidence, each at its latest version for
    ``release`` (or for any release), with who reviewed it."""
    rows = []
    artefacts = Artefact.objects.filter(
        product=product, kind__in=[ArtefactKind.TEST_REPORT, ArtefactKind.CI_RUN]
    ).prefetch_related("versions__reviewed_by")
    for artefact in artefacts:
        versions = [
            v for v in artefact.versions.all() if v.release_id in (None, release and release.pk)
        ]
        if not versions:
            continue
        latest = versions[-1]
        reviewed = (
            f"Reviewed by {person_name(latest.reviewed_by)} on {long_date(latest.reviewed_at)}"
            if latest.reviewed_by and latest.reviewed_at
            else "Not reviewed"
        )
        rows.append(
            (f"{artefact.reference} {artefact.title}", artefact.get_kind_display(),
             latest.label or f"Version {latest.number}", reviewed)
        )  # fmt: skip
    return Section(
        "Test summary",
        [
            Table(
                ("Evidence", "Kind", "Version", "Review"),
                tuple(rows),
                caption="Functional and non-functional testing recorded as evidence",
                empty="No test report or CI run is recorded as evidence.",
            )
        ],
    )


# --- shared --------------------------------------------------------------------------------


def _signatures(signatures: Iterable[Signed], current_hash: str) -> list[SignatureRow]:
    return [_row(s, s.snapshot_hash != current_hash) for s in signatures]


def _row(signature: Signed, stale: bool) -> SignatureRow:
    return SignatureRow(
        signer=person_name(signature.signer),
        role=signature.signer_role,
        signed_at=signature.signed_at,
        meaning=signature.meaning,
        snapshot_hash=signature.snapshot_hash,
        stale=stale,
    )


def _estimate(estimate: Estimate | None) -> str:
    return estimate.words if estimate else "Not assessed."
