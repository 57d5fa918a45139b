"""Demo data: an e-prescribing product with a realistic hazard log, and one person per role.

Loaded through the same service functions as real work, so the demo has a real audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clinsafe.core import services
from clinsafe.core.models import (
    CSOAppointment,
    Membership,
    Organisation,
    OrganisationKind,
    ProfessionalRegistration,
    Role,
    Training,
)
from clinsafe.demo.compliance import hand_over_bundle
from clinsafe.demo.deployments import in_use_at_riverside
from clinsafe.demo.history import days_ago
from clinsafe.demo.releases import load_releases
from clinsafe.hazards import services as hazard_services
from clinsafe.hazards.models import ControlKind, ControlOrigin, ControlStatus, HazardStatus, Stage
from clinsafe.health.services import record_process_review
from clinsafe.products.models import LifecycleStatus, MedicalDevice, Product
from clinsafe.products.services import create_product
from clinsafe.risk import Likelihood as L
from clinsafe.risk import Severity as S

DEMO_PASSWORD = "clinsafe-demo"  # noqa: S105 - published demo credential, refused in production
DEMO_PRODUCT_SLUG = "demo-eprescribing"

NORTHWIND = "northwind-health"
RIVERSIDE = "riverside-trust"

# (username, first name, last name, role, organisation)
DEMO_PEOPLE = [
    ("cso", "Priya", "Shah", Role.CSO, NORTHWIND),
    ("reviewer", "Tom", "Okafor", Role.REVIEWER, NORTHWIND),
    ("engineer", "Sam", "Lee", Role.ENGINEER, NORTHWIND),
    ("executive", "Helen", "Ward", Role.EXECUTIVE, NORTHWIND),
    ("viewer", "Alex", "Morgan", Role.VIEWER, NORTHWIND),
    ("admin", "Morgan", "Reid", Role.ADMIN, NORTHWIND),
    # Appointed to the products that show a hollow CSO role.
    ("raj", "Raj", "Patel", Role.CSO, NORTHWIND),
    ("jordan", "Jordan", "Blake", Role.CSO, NORTHWIND),
    # Another organisation, whose records Northwind's people never see.
    ("riverside-cso", "Aisha", "Khan", Role.CSO, RIVERSIDE),
    ("riverside-exec", "Martin", "Hale", Role.EXECUTIVE, RIVERSIDE),
]


@dataclass
class DemoControl:
    description: str
    kind: str
    status: str = ControlStatus.IMPLEMENTED
    origin: str = ControlOrigin.ADDITIONAL
    evidence: str = ""


@dataclass
class DemoHazard:
    title: str
    description: str
    causes: list[str]
    effects: list[str]
    harm: str
    context: str
    initial: tuple[S, L]
    residual: tuple[S, L] | None
    controls: list[DemoControl] = field(default_factory=list)
    status: str = HazardStatus.OPEN
    rationale: str = ""


V = ControlStatus.VERIFIED

HAZARDS = [
    DemoHazard(
        "Dose shown in the wrong unit",
        "A prescribed dose is displayed in a different unit from the one prescribed "
        "(e.g. micrograms shown as milligrams).",
        [
            "Unit conversion error in the dose display component",
            "Drug dictionary update changes the default unit",
        ],
        [
            "Nurse administers a dose 1,000 times larger or smaller than intended",
            "Pharmacist verifies an order against the wrong unit",
        ],
        "Overdose or underdose of a high-risk medicine (e.g. digoxin, fentanyl) causing death "
        "or serious harm.",
        "Inpatient wards; adult and paediatric patients; nurses administering, pharmacists "
        "verifying.",
        (S.MAJOR, L.MEDIUM),
        (S.MAJOR, L.VERY_LOW),
        [
            DemoControl(
                "Units are stored with every dose and rendered from one formatter; "
                "'micrograms' is never abbreviated.",
                ControlKind.DESIGN,
                V,
                evidence="Unit rendering test suite UT-DOSE-114, release 2.3 test report.",
            ),
            DemoControl(
                "Automated regression test of dose display against the dictionary for all "
                "high-risk medicines on every dictionary update.",
                ControlKind.TESTING,
                V,
                evidence="CI job dictionary-regression, run 2026-10-02.",
            ),
        ],
        HazardStatus.CONTROLLED,
    ),
    DemoHazard(
        "Prescription recorded against the wrong patient",
        "A prescription is saved to a different patient's record from the one the prescriber "
        "intended.",
        [
            "Two patient records open in adjacent browser tabs",
            "Patient banner not refreshed after a bed move",
        ],
        [
            "Intended patient misses a medicine",
            "Another patient receives a medicine not meant for them",
        ],
        "Omission of critical medicine for one patient and administration of an unintended "
        "medicine to another; death possible with anticoagulants or insulin.",
        "All wards; prescribers with several patients open at once.",
        (S.MAJOR, L.LOW),
        (S.MAJOR, L.VERY_LOW),
        [
            DemoControl(
                "Only one patient context per session; a second tab shows a blocking warning.",
                ControlKind.DESIGN,
                V,
                evidence="Test report TR-221.",
            ),
            DemoControl(
                "Patient banner with name, date of birth and NHS number on every "
                "prescribing screen, per ISB 1505.",
                ControlKind.DESIGN,
                ControlStatus.IMPLEMENTED,
                ControlOrigin.EXISTING,
            ),
        ],
        HazardStatus.CONTROLLED,
    ),
    DemoHazard(
        "Allergy alert not shown",
        "A documented allergy does not trigger an alert when a medicine in the same class is "
        "prescribed.",
        [
            "Allergy recorded as free text rather than coded",
            "Class mapping missing for a new drug in the dictionary",
        ],
        ["Prescriber is not warned of the allergy"],
        "Anaphylaxis or severe allergic reaction in one patient.",
        "All settings; patients with recorded allergies.",
        (S.MAJOR, L.MEDIUM),
        (S.MAJOR, L.LOW),
        [
            DemoControl(
                "Free-text allergies are flagged on the banner as 'unverified allergy: check'.",
                ControlKind.DESIGN,
            ),
            DemoControl(
                "Pharmacist reconciliation of allergies within 24 hours of admission.",
                ControlKind.BUSINESS_PROCESS,
                origin=ControlOrigin.EXISTING,
            ),
            DemoControl(
                "Training module on coding allergies.", ControlKind.TRAINING, ControlStatus.PROPOSED
            ),
        ],
        rationale="Free-text allergies cannot be matched reliably; the residual likelihood "
        "rests on pharmacist reconciliation.",
    ),
    DemoHazard(
        "Delayed display of a new prescription on the administration chart",
        "A prescription made by the prescriber appears on the nurse's administration chart "
        "after a delay.",
        ["Message queue backlog during peak hours", "Client cache not invalidated"],
        ["First dose given late"],
        "Delayed time-critical medicine (e.g. antibiotics in sepsis, Parkinson's medicines).",
        "Acute wards; time-critical medicines.",
        (S.CONSIDERABLE, L.MEDIUM),
        (S.CONSIDERABLE, L.LOW),
        [
            DemoControl(
                "Administration chart refreshes on a push event and shows the time of the "
                "last refresh.",
                ControlKind.DESIGN,
                V,
                evidence="Load test LT-09: p99 delay 1.8 s at 3x peak.",
            ),
            DemoControl(
                "Queue depth alert to the service desk above 30 seconds' lag.", ControlKind.DESIGN
            ),
        ],
        HazardStatus.CONTROLLED,
    ),
    DemoHazard(
        "Discontinued medicine still shown as active",
        "A medicine stopped by the prescriber still appears as due on the administration chart.",
        ["Stop action fails silently when the network drops", "Stop date in the future mis-parsed"],
        ["Nurse administers a stopped medicine"],
        "Continued administration of a medicine stopped for harm, e.g. an anticoagulant before "
        "surgery.",
        "Inpatient wards.",
        (S.MAJOR, L.LOW),
        (S.MAJOR, L.VERY_LOW),
        [
            DemoControl(
                "Stop actions are confirmed by the server before the chart changes; "
                "failures are shown to the prescriber.",
                ControlKind.DESIGN,
                V,
                evidence="Fault-injection test FI-07.",
            )
        ],
        HazardStatus.CONTROLLED,
    ),
    DemoHazard(
        "Drug–drug interaction warning suppressed by alert fatigue",
        "Clinically important interaction warnings are overridden because users see too many "
        "low-value alerts.",
        ["All interaction severities shown as interruptive alerts"],
        ["Serious interaction not acted on"],
        "Harm from a serious interaction, e.g. serotonin syndrome or QT prolongation.",
        "All prescribers.",
        (S.MAJOR, L.HIGH),
        (S.MAJOR, L.MEDIUM),
        [
            DemoControl(
                "Only severe interactions interrupt; others are shown passively.",
                ControlKind.DESIGN,
            ),
            DemoControl(
                "Quarterly review of override rates by the medication safety committee.",
                ControlKind.BUSINESS_PROCESS,
                ControlStatus.PROPOSED,
            ),
        ],
        rationale="Passive display of lower-severity alerts lowers override rates but does not "
        "remove reliance on the prescriber's attention.",
    ),
    DemoHazard(
        "Weight-based dose calculated from an out-of-date weight",
        "A paediatric dose is calculated from a weight recorded weeks earlier.",
        ["Weight not re-recorded on admission", "No check of the age of the weight"],
        ["Dose too high or too low for the child's current weight"],
        "Over- or under-dosing of a child; serious harm with narrow-therapeutic-index medicines.",
        "Paediatric wards and neonatal units.",
        (S.MAJOR, L.MEDIUM),
        (S.MAJOR, L.LOW),
        [
            DemoControl(
                "Weight older than 7 days (neonates: 48 hours) blocks weight-based "
                "calculation until re-entered.",
                ControlKind.DESIGN,
                V,
                evidence="Test report TR-240.",
            )
        ],
        HazardStatus.CONTROLLED,
    ),
    DemoHazard(
        "Look-alike drug names confused in search",
        "Searching for a medicine shows look-alike names together, and the wrong one is selected.",
        ["Search ranks by alphabetical order only"],
        ["Wrong medicine prescribed, e.g. hydroxyzine for hydralazine"],
        "Wrong medicine given to one patient; significant harm possible.",
        "All prescribers.",
        (S.CONSIDERABLE, L.MEDIUM),
        (S.CONSIDERABLE, L.LOW),
        [
            DemoControl(
                "Tall-man lettering for look-alike names from the national list.",
                ControlKind.DESIGN,
                V,
                evidence="Dictionary configuration review CR-31.",
            )
        ],
    ),
    DemoHazard(
        "System unavailable during a drug round",
        "The e-prescribing system is unavailable when medicines are due.",
        ["Data centre or network outage", "Failed deployment"],
        ["Nurses cannot see what is due", "Doses missed or duplicated"],
        "Missed or duplicated doses across a ward.",
        "All wards; downtime.",
        (S.CATASTROPHIC, L.LOW),
        (S.MAJOR, L.LOW),
        [
            DemoControl(
                "Read-only downtime chart printed every 4 hours per ward.",
                ControlKind.BUSINESS_PROCESS,
                V,
                ControlOrigin.EXISTING,
                evidence="Downtime drill 2026-09-14 report.",
            ),
            DemoControl(
                "Deployments outside drug-round times, with automatic rollback.",
                ControlKind.DESIGN,
                ControlStatus.IMPLEMENTED,
            ),
            DemoControl(
                "Deploying organisations must keep a paper drug chart kit on every ward for "
                "downtime, and rehearse the downtime procedure twice a year.",
                ControlKind.TRANSFERRED,
                ControlStatus.PROPOSED,
            ),
        ],
        rationale="Downtime charts limit the outage to one ward's round at most, so the worst "
        "credible harm falls from several patients to one.",
    ),
    DemoHazard(
        "Infusion rate rounded on display",
        "An infusion rate is rounded to a whole number on the administration screen.",
        ["Display format drops decimals"],
        ["Pump programmed at 1 mL/h instead of 0.6 mL/h"],
        "Overdose of an infusion in a neonate.",
        "Neonatal and paediatric intensive care.",
        (S.MAJOR, L.LOW),
        (S.MAJOR, L.VERY_LOW),
        [
            DemoControl(
                "Rates shown to the precision prescribed; trailing zeros never shown, "
                "leading zeros always.",
                ControlKind.DESIGN,
                V,
                evidence="UT-RATE-12.",
            )
        ],
        HazardStatus.ACCEPTED,
    ),
    DemoHazard(
        "Incomplete medicines reconciliation at discharge",
        "The discharge summary omits medicines changed during the stay.",
        [
            "Changes made on paper during downtime not entered",
            "Summary built from the admission list",
        ],
        ["GP continues a stopped medicine or omits a new one"],
        "Harm after discharge from an omitted or continued medicine.",
        "Discharge; GPs receiving summaries.",
        (S.CONSIDERABLE, L.MEDIUM),
        None,
        [
            DemoControl(
                "Discharge summary lists started, stopped and changed medicines separately.",
                ControlKind.DESIGN,
                ControlStatus.PROPOSED,
            )
        ],
    ),
    DemoHazard(
        "Controlled drug administered without a second checker",
        "The chart allows a controlled drug administration to be recorded with one signature.",
        ["Second-checker step configurable per ward and switched off"],
        ["Administration errors of controlled drugs go unchecked"],
        "Opioid overdose in one patient.",
        "Wards administering controlled drugs.",
        (S.MAJOR, L.LOW),
        (S.MAJOR, L.VERY_LOW),
        [
            DemoControl(
                "Second-checker step enforced for Schedule 2 and 3 drugs; not configurable.",
                ControlKind.DESIGN,
                V,
                evidence="TR-255.",
            ),
            DemoControl(
                "Deploying organisations must configure ward lists so that every ward "
                "administering controlled drugs is covered.",
                ControlKind.TRANSFERRED,
                ControlStatus.PROPOSED,
            ),
        ],
        HazardStatus.TRANSFERRED,
    ),
    DemoHazard(
        "Free-text dose instructions truncated",
        "Long free-text dosing instructions are cut off on the administration chart.",
        ["Field length limit on the chart view"],
        ["Nurse misses a tapering schedule"],
        "Wrong dose on a reducing regimen, e.g. steroids.",
        "Inpatient wards.",
        (S.SIGNIFICANT, L.MEDIUM),
        (S.SIGNIFICANT, L.LOW),
        [
            DemoControl(
                "Truncated text shows an ellipsis and expands on selection.",
                ControlKind.DESIGN,
                V,
                evidence="UI review UR-18.",
            )
        ],
        HazardStatus.CONTROLLED,
    ),
    DemoHazard(
        "Clinical decision support rules out of date",
        "Dose range checking uses a superseded rule set after a dictionary release.",
        ["Manual step to load the rule set omitted"],
        ["Dose range warnings missing or wrong"],
        "Overdose not flagged for one patient.",
        "All prescribers.",
        (S.MAJOR, L.LOW),
        None,
        [
            DemoControl(
                "Release checklist item: confirm rule-set version matches the dictionary.",
                ControlKind.BUSINESS_PROCESS,
                ControlStatus.PROPOSED,
            )
        ],
    ),
]


def demo_credentials() -> list[tuple[str, str]]:
    names = {NORTHWIND: "Northwind", RIVERSIDE: "Riverside"}
    return [
        (username, f"{Role(role).label}, {names[org]}")
        for username, _f, _l, role, org in DEMO_PEOPLE
    ]


@transaction.atomic
def load_demo() -> Product:
    """Create the demo organisations, people, products, hazard logs and CSO appointments
    unless they are already there."""
    organisations = {
        NORTHWIND: Organisation.objects.get_or_create(
            slug=NORTHWIND,
            defaults={
                "name": "Northwind Health Software Ltd",
                "kind": OrganisationKind.MANUFACTURER,
            },
        )[0],
        RIVERSIDE: Organisation.objects.get_or_create(
            slug=RIVERSIDE,
            defaults={
                "name": "Riverside Community NHS Trust",
                "kind": OrganisationKind.HEALTH_ORGANISATION,
            },
        )[0],
    }
    people: dict[str, User] = {}
    for username, first, last, role, org in DEMO_PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, organisation=organisations[org], role=role)
        people[username] = user
    northwind = organisations[NORTHWIND]
    # The demo is loaded as a year of history, so the CSO health check has something to read.
    with days_ago(365):
        product = _product(
            people["cso"],
            northwind,
            name="MedsFlow e-Prescribing",
            slug=DEMO_PRODUCT_SLUG,
            intended_use="Electronic prescribing and medicines administration (ePMA) for "
            "inpatients: prescribing, pharmacist verification, administration recording and "
            "discharge medicines.",
            care_settings="Acute adult and paediatric wards, neonatal units, day surgery.",
            intended_users="Prescribers, pharmacists, nurses and midwives.",
            patient_groups="Adult, paediatric and neonatal inpatients.",
            third_party_products="NHS Dictionary of Medicines and Devices (dm+d)\n"
            "FDB Multilex drug interaction and dose-range checking",
            lifecycle_status=LifecycleStatus.LIVE,
            medical_device=MedicalDevice.NOT_A_DEVICE,
        )
        _load_accountability(organisations, people)
    if not product.hazards.exists():
        with days_ago(240):
            _load_hazard_log(product, people)
        with days_ago(200):
            record_process_review(
                actor=people["cso"],
                organisation=northwind,
                held_on=timezone.localdate(),
                findings="Hazard workshops now include a ward pharmacist; releases are put into "
                "safety review when development starts, not at the end.",
                next_due_on=timezone.localdate() + timedelta(days=365),
            )
        load_releases(product, people, DEMO_PASSWORD)
        with days_ago(15):
            hand_over_bundle(
                product.releases.get(version="2.4.0"),
                people["riverside-cso"],
                organisations[RIVERSIDE],
            )
        in_use_at_riverside(people)
    _recheck_registrations(people)
    return product


def _product(actor: User, organisation: Organisation, slug: str, **fields: Any) -> Product:
    existing = Product.objects.filter(slug=slug).first()
    if existing:
        return existing
    return create_product(actor=actor, organisation=organisation, slug=slug, **fields)


def _load_accountability(organisations: dict[str, Organisation], people: dict[str, User]) -> None:
    """Credentials and appointments: one sound CSO, and one product for each way the role
    can be hollow (no CSO; not a registered clinician; lapsed registration and training,
    no protected time, no authority)."""
    today = timezone.localdate()
    northwind, riverside = organisations[NORTHWIND], organisations[RIVERSIDE]
    admin = people["admin"]
    for username, regulator, number, profession, expires in [
        ("cso", "GMC", "7012345", "Doctor", today + timedelta(days=800)),
        ("reviewer", "GPhC", "2087654", "Pharmacist", today + timedelta(days=565)),
        ("raj", "GMC", "6012345", "Doctor", today + timedelta(days=325)),
        ("riverside-cso", "NMC", "12A3456E", "Nurse", today + timedelta(days=965)),
    ]:
        user = people[username]
        if not ProfessionalRegistration.objects.filter(user=user).exists():
            services.record_registration(
                actor=user,
                user=user,
                regulator=regulator,
                number=number,
                profession=profession,
                last_confirmed_on=today - timedelta(days=30),
                expires_on=expires,
            )
    for username, days_since in [
        ("cso", 200),
        ("raj", 5 * 365),
        ("jordan", 100),
        ("riverside-cso", 300),
    ]:
        user = people[username]
        if not Training.objects.filter(user=user).exists():
            services.record_training(
                actor=user,
                user=user,
                course="Clinical risk management (DCB0129/DCB0160)",
                completed_on=today - timedelta(days=days_since),
            )
    results = _product(
        people["cso"],
        northwind,
        name="ResultsView",
        slug="demo-results-viewer",
        intended_use="Viewing laboratory and imaging results.",
        lifecycle_status="live",
    )
    letters = _product(
        people["cso"],
        northwind,
        name="Clinic Letters",
        slug="demo-letters",
        intended_use="Drafting and sending outpatient clinic letters.",
        lifecycle_status="in_development",
    )
    _product(
        people["cso"],
        northwind,
        name="TriageBot",
        slug="demo-triage",
        intended_use="Symptom checker for patients before contacting their GP.",
        lifecycle_status="in_development",
    )
    for user, scope, hours, can_block in [
        (people["cso"], Product.objects.get(slug=DEMO_PRODUCT_SLUG), 16, True),
        (people["raj"], results, 0, False),
        (people["jordan"], letters, 4, True),
    ]:
        if not CSOAppointment.objects.filter(user=user, product=scope).exists():
            services.appoint_cso(
                actor=admin,
                organisation=northwind,
                user=user,
                product=scope,
                starts_on=today - timedelta(days=365),
                protected_hours_per_week=hours,
                can_block_release=can_block,
            )
    _load_riverside(riverside, people["riverside-cso"], people["riverside-exec"])


def _recheck_registrations(people: dict[str, User]) -> None:
    """Registrations are checked against the register each year; Raj's was not."""
    recent = timezone.localdate() - timedelta(days=30)
    for username in ("cso", "reviewer", "riverside-cso"):
        registration = ProfessionalRegistration.objects.get(user=people[username])
        if registration.last_confirmed_on >= recent:
            continue
        services.record_registration(
            actor=people[username],
            user=people[username],
            regulator=registration.regulator,
            number=registration.number,
            profession=registration.profession,
            last_confirmed_on=recent,
            expires_on=registration.expires_on,
            version=registration.version,
        )


def _load_riverside(riverside: Organisation, cso: User, executive: User) -> None:
    if Product.objects.filter(slug="riverside-ward-obs").exists():
        return
    Membership.objects.get_or_create(user=cso, organisation=riverside, role=Role.ADMIN)
    product = create_product(
        actor=cso,
        organisation=riverside,
        name="Ward Observations",
        slug="riverside-ward-obs",
        intended_use="Recording vital signs and NEWS2 scores on community wards.",
        lifecycle_status="live",
    )
    hazard_services.create_hazard(
        actor=cso,
        product=product,
        title="NEWS2 score not recalculated after an edit",
        description="Editing an observation leaves the previous NEWS2 score displayed.",
        harm="Deterioration not escalated.",
    )
    services.appoint_cso(
        actor=executive,  # no one appoints themselves
        organisation=riverside,
        user=cso,
        protected_hours_per_week=8,
        can_block_release=True,
    )


def _load_hazard_log(product: Product, people: dict[str, User]) -> None:
    cso, reviewer, engineer = people["cso"], people["reviewer"], people["engineer"]
    owners = [cso, reviewer, engineer]
    for index, demo in enumerate(HAZARDS):
        hazard = hazard_services.create_hazard(
            actor=reviewer,
            product=product,
            title=demo.title,
            description=demo.description,
            causes=demo.causes,
            effects=demo.effects,
            harm=demo.harm,
            clinical_context=demo.context,
            owner=owners[index % len(owners)],
        )
        hazard_services.assess_risk(
            actor=reviewer,
            hazard=hazard,
            stage=Stage.INITIAL,
            severity=demo.initial[0],
            likelihood=demo.initial[1],
            rationale="Assessed at the hazard workshop with ward pharmacists and nurses.",
        )
        for control in demo.controls:
            hazard_services.add_control(
                actor=engineer,
                product=product,
                hazards=[hazard],
                description=control.description,
                kind=control.kind,
                origin=control.origin,
                status=control.status,
                verification_evidence=control.evidence,
            )
        if demo.residual:
            hazard_services.assess_risk(
                actor=cso,
                hazard=hazard,
                stage=Stage.RESIDUAL,
                severity=demo.residual[0],
                likelihood=demo.residual[1],
                rationale=demo.rationale,
            )
        if demo.status != HazardStatus.OPEN:
            hazard.refresh_from_db()
            hazard_services.change_hazard_status(
                actor=cso,
                hazard=hazard,
                version=hazard.version,
                status=demo.status,
                reason="The remaining control is transferred to deploying organisations."
                if demo.status == HazardStatus.TRANSFERRED
                else "",
            )
