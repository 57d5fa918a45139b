"""The demo trust's deployment of the e-prescribing product (DCB0160): Riverside takes 2.3.0
from its supplier's bundle as it ships, reviews the supplier's evidence, accepts one
transferred control and rejects another, adds hazards of its own, and goes live through
the gate with its CSO's sign-off and its executive's acceptance. Months later it reviews
the deployment in use and forwards an incident to the supplier; the supplier's 2.4.0
bundle then arrives with differences to review. Loaded through the same services as real
work."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from clinsafe.argument import services as argument
from clinsafe.argument.graph import Kind, Link
from clinsafe.core.models import Organisation, Role
from clinsafe.demo.history import days_ago
from clinsafe.deployments import in_use, services
from clinsafe.deployments.models import AssuranceConclusion, Deployment, TransferDecisionKind
from clinsafe.deployments.records import transferred_controls
from clinsafe.gate import services as gate
from clinsafe.gate.evaluation import evaluate
from clinsafe.hazards import services as hazards
from clinsafe.hazards.models import ControlKind, ControlStatus, Hazard, Stage
from clinsafe.incidents import services as incidents
from clinsafe.incidents.models import Finding, Harm
from clinsafe.products.changes import assess_change, propose_change
from clinsafe.products.models import ChangeKind, Product, Release
from clinsafe.reports import services as reports
from clinsafe.reports.bundle import export_bundle
from clinsafe.reports.issuing import issue_signed_documents
from clinsafe.risk import Likelihood as L
from clinsafe.risk import Severity as S

SITE = "Riverside Community Hospital: Willow, Oak and Birch wards"

# Local hazards: title, description, harm, (initial), (residual), local control.
LOCAL_HAZARDS = [
    (
        "Medicines list not transferred from the acute trust",
        "Patients stepped down from St Anne's arrive without an electronic medicines list: "
        "the two systems do not exchange medicines, so the list is re-typed on admission.",
        "Omitted or duplicated doses in the first days after transfer.",
        (S.CONSIDERABLE, L.MEDIUM),
        (S.CONSIDERABLE, L.VERY_LOW),
        "A pharmacy technician reconciles every transfer's medicines against the acute "
        "trust's discharge letter within 24 hours.",
    ),
    (
        "Community formulary restrictions not configured",
        "Antimicrobials restricted on Riverside's community formulary can be prescribed "
        "without the microbiology approval the acute formulary does not need.",
        "A broad-spectrum antimicrobial given without indication; resistance and C. difficile.",
        (S.SIGNIFICANT, L.MEDIUM),
        (S.SIGNIFICANT, L.LOW),
        "Restricted antimicrobials configured to need a microbiology approval code.",
    ),
]


def deploy_at_riverside(release: Release, people: dict[str, User], password: str) -> None:
    """From receiving ``release``'s bundle to going live with it, over eight days."""
    cso, executive = people["riverside-cso"], people["riverside-exec"]
    trust = Organisation.objects.get(memberships__user=cso, memberships__role=Role.CSO)
    with days_ago(108):
        bundle = services.import_supplier_bundle(
            actor=cso, organisation=trust, data=export_bundle(release)
        )
        deployment = services.record_deployment(
            actor=cso,
            organisation=trust,
            bundle=bundle,
            site=SITE,
            clinical_scope="Inpatient prescribing and administration on three community "
            "rehabilitation wards; no paediatrics, no intravenous chemotherapy.",
            user_groups="Nurses, advanced clinical practitioners, visiting GPs and the "
            "community pharmacy team.",
            patient_groups="Adults stepped down from acute care for rehabilitation.",
            operating_environment="Hosted by the supplier; ward PCs and tablets on the trust "
            "network; single sign-on with trust smartcards; no interface to the acute trust's "
            "EPMA.",
            go_live_on=timezone.localdate() + timedelta(days=8),
            review_interval_months=3,
        )
        services.review_assurance(
            actor=cso,
            deployment=deployment,
            conclusion=AssuranceConclusion.WITH_CONDITIONS,
            comment="2.3.0 was released over the supplier CSO's block, and several of its "
            "serious hazards have no accepted residual risk. We go live on condition that a "
            "pharmacist verifies every order for the first month, and we take 2.4.0 when it "
            "comes.",
        )
    with days_ago(106):
        _decide_transfers(deployment, cso)
        for title, description, harm, initial, residual, control in LOCAL_HAZARDS:
            hazard = hazards.create_hazard(
                actor=cso, product=deployment.record, title=title, description=description,
                harm=harm,
            )  # fmt: skip
            _assess(cso, deployment.record, hazard, initial, residual, control)
        _configure(deployment, release, cso)
        reports.approve_plan(
            actor=cso,
            product=deployment.record,
            password=password,
            statement="This plan describes how Riverside manages the clinical risk of "
            "deploying MedsFlow on its community wards; I approve it.",
        )
    with days_ago(103):
        _argue(deployment.record, cso)
        go_live = deployment.record.releases.get()
        argument.put_forward(actor=cso, release=go_live)
        for waiting in evaluate(go_live).waiting_review:
            gate.review_hazard(
                actor=cso,
                hazard=deployment.record.hazards.get(number=waiting["number"]),
                comment="Reviewed for go-live.",
            )
    with days_ago(101):
        signed = gate.sign_off_release(
            actor=cso,
            release=go_live,
            password=password,
            statement="The supplier's evidence is reviewed, its transferred controls decided "
            "and our local hazards controlled. I approve go-live on the conditions recorded.",
        )
        issue_signed_documents(signed.issuing)  # as the worker would, at once
        services.accept_deployment_risks(
            actor=executive,
            deployment=deployment,
            password=password,
            statement="On behalf of Riverside's board I accept these residual risks for "
            "go-live on the community wards.",
        )
    with days_ago(100):
        gate.record_released(actor=cso, release=go_live)


def _decide_transfers(deployment: Deployment, cso: User) -> None:
    by_text = {
        c["description"][:40]: c["reference"]
        for c in transferred_controls(deployment.bundle.content)
    }
    ward_lists = by_text["Deploying organisations must configure w"]
    downtime = by_text["Deploying organisations must keep a pape"]
    services.decide_transfer(
        actor=cso,
        deployment=deployment,
        reference=ward_lists,
        decision=TransferDecisionKind.ACCEPTED,
        implementation="Pharmacy informatics configures the ward lists from bed management; "
        "the ward manager checks them after every ward move.",
    )
    rejected = services.decide_transfer(
        actor=cso,
        deployment=deployment,
        reference=downtime,
        decision=TransferDecisionKind.REJECTED,
        reasons="Our wards have no paper kits: downtime runs on the trust's read-only "
        "downtime viewer on battery-backed ward PCs.",
    )
    assert rejected.local_hazard is not None
    _assess(
        cso,
        deployment.record,
        rejected.local_hazard,
        (S.MAJOR, L.LOW),
        (S.MAJOR, L.VERY_LOW),
        "Downtime viewer on battery-backed ward PCs, refreshed every 15 minutes and tested "
        "monthly.",
    )


def _assess(
    cso: User, record: Product, hazard: Hazard, initial: tuple[S, L], residual: tuple[S, L],
    control: str,
) -> None:  # fmt: skip
    hazards.assess_risk(actor=cso, hazard=hazard, stage=Stage.INITIAL, severity=initial[0],
                        likelihood=initial[1], rationale="Assessed at Riverside's deployment "
                        "workshop with ward nurses and the community pharmacist.")  # fmt: skip
    hazards.add_control(
        actor=cso, product=record, hazards=[hazard], description=control,
        kind=ControlKind.BUSINESS_PROCESS, status=ControlStatus.VERIFIED,
        verification_evidence="Checked in the go-live readiness review.",
    )  # fmt: skip
    hazards.assess_risk(actor=cso, hazard=hazard, stage=Stage.RESIDUAL, severity=residual[0],
                        likelihood=residual[1], rationale="With the local control in place and "
                        "checked.")  # fmt: skip


def _configure(deployment: Deployment, release: Release, cso: User) -> None:
    """The local configuration, as a change on the deployment assessed before go-live."""
    go_live = deployment.record.releases.get()
    change = propose_change(
        actor=cso,
        product=deployment.record,
        kind=ChangeKind.CONFIGURATION,
        title="Community formulary and order sets",
        description="Riverside's formulary, antimicrobial restrictions and rehabilitation "
        "order sets configured for the three wards.",
        release=go_live,
    )
    assess_change(
        actor=cso,
        change=change,
        version=change.version,
        hazards=[deployment.record.hazards.get(title__startswith="Community formulary")],
        new_hazards=False,
        alters_clinical_risk=True,
        conclusion="The restrictions are the control of the formulary hazard; checked by the "
        "community pharmacist before go-live.",
        release=go_live,
    )


def _argue(record: Product, cso: User) -> None:
    """The standard argument over the local hazards, each claim backed by the verification
    of the local control."""
    argument.argue_over_all_hazards(actor=cso, product=record)
    graph = argument.argument_of(record).graph
    for claim in [n for n in graph.of_kind(Kind.CLAIM) if n.hazard]:
        control = record.hazards.get(number=int(claim.hazard[2:])).controls.get()
        argument.add_node(
            actor=cso, product=record, revision=argument.argument_of(record).revision,
            kind=Kind.EVIDENCE, text=f"Go-live readiness review: {control.reference} is in "
            "place and checked.", parent=claim.id, link=Link.SUPPORTED_BY,
            control=control.reference,
        )  # fmt: skip


def in_use_at_riverside(people: dict[str, User]) -> None:
    """Three months in: the in-use review, then an incident forwarded to the supplier."""
    cso = people["riverside-cso"]
    deployment = Deployment.objects.get(site=SITE)
    with days_ago(10):
        in_use.record_in_use_review(
            actor=cso,
            deployment=deployment,
            held_on=timezone.localdate(),
            findings="Three months in use: no harm incidents; pharmacist verification of every "
            "order ended after the first month as planned. Ward lists matched bed management "
            "at each of two ward moves.",
            continue_use=True,
        )
    with days_ago(4):
        local = incidents.report_incident(
            actor=cso, product=deployment.record, release=deployment.record.releases.get(),
            title="No allergy alert for co-amoxiclav",
            description="Co-amoxiclav was prescribed for a patient with a penicillin allergy "
            "and no alert showed. The nurse checked the wristband before giving it.",
            occurred_on=timezone.localdate() - timedelta(days=1), patient_affected=False,
            reported_harm=Harm.NONE, deployment="Willow ward",
        )  # fmt: skip
        forwarded = in_use.forward_incident(actor=cso, deployment=deployment, incident=local)
    with days_ago(3):
        supplier = forwarded.product
        incidents.triage_incident(
            actor=people["reviewer"], incident=forwarded, version=forwarded.version,
            actual_harm=Harm.NONE, finding=Finding.HAZARD_REALISED,
            hazards=[Hazard.objects.get(product=supplier, number=3)],
            reassessment_required=False, external_report_required=False,
            triage_notes="H-003 as estimated: the allergy was recorded as free text, which "
            "the alert cannot read; the business-process control asks for coded allergies.",
        )  # fmt: skip
