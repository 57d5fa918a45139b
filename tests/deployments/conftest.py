"""Elsewhere Trust deploys Northwind's MedsFlow 2.4.0 from its bundle.

Rita is the trust's CSO (appointed for all its deployments), Ed its accountable
executive and Ren a clinical reviewer there. The supplier's release carries two controls
transferred to the deploying organisation and a hazard rated 3 that its CSO accepted."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clinsafe.core import services as people
from clinsafe.deployments import services as deploying
from clinsafe.gate import services as gate
from clinsafe.hazards import services as hazards
from clinsafe.reports import services as documents
from clinsafe.reports.bundle import export_bundle
from tests.conftest import PASSWORD, argue_for, make_person
from tests.gate.conftest import assessed, review_all, sign_off

WARD_LISTS = "Trust configures ward lists so every ward is covered"
DOWNTIME = "Trust keeps a paper downtime kit on every ward"


@pytest.fixture
def shipped(cso: Any, tom: Any, release: Any, product: Any) -> Any:
    """Northwind's 2.4.0 as handed over. Not signed off (see `signed_off`), which spares
    every test the issuing of its documents."""
    dose = assessed(product, tom, initial=(4, 3), residual=(4, 1), title="Dose in wrong unit")
    outage = assessed(product, tom, initial=(5, 2), residual=(4, 2), title="System down")
    for hazard, text in ((dose, WARD_LISTS), (outage, DOWNTIME)):
        hazards.add_control(actor=tom, product=product, hazards=[hazard], kind="transferred",
                            description=text)  # fmt: skip
    gate.accept_risk(actor=cso, hazard=outage, password=PASSWORD, rationale="ALARP.")
    return release


@pytest.fixture
def signed_off(shipped: Any, cso: Any, tom: Any) -> Any:
    """2.4.0 with its safety case, signed off by Northwind's CSO."""
    argue_for(shipped, cso, tom)
    review_all(cso, shipped)
    sign_off(cso, shipped)
    return shipped


@pytest.fixture
def rita(elsewhere: Any) -> Any:
    """The trust's CSO, appointed for everything the trust deploys."""
    rita = make_person("rita", elsewhere, "cso", "Rita Shah")
    admin = make_person("ada", elsewhere, "admin", "Ada Hill")
    people.record_registration(
        actor=rita, user=rita, regulator="NMC", number="12A3456E", profession="Nurse",
        last_confirmed_on=timezone.localdate() - timedelta(days=10),
    )  # fmt: skip
    people.record_training(actor=rita, user=rita, course="DCB0160", completed_on=date(2026, 2, 1))
    people.appoint_cso(
        actor=admin, organisation=elsewhere, user=rita, starts_on=date(2026, 1, 1),
        protected_hours_per_week=Decimal(8), can_block_release=True,
    )  # fmt: skip
    return rita


@pytest.fixture
def ed(elsewhere: Any) -> Any:
    return make_person("ed", elsewhere, "executive", "Ed Stone")


@pytest.fixture
def ren(elsewhere: Any) -> Any:
    return make_person("ren", elsewhere, "reviewer", "Ren Ito")


@pytest.fixture
def bundle(shipped: Any, rita: Any, elsewhere: Any) -> Any:
    return deploying.import_supplier_bundle(
        actor=rita, organisation=elsewhere, data=export_bundle(shipped)
    )


def record(rita: Any, bundle: Any, **fields: Any) -> Any:
    defaults = {
        "site": "Elsewhere General, wards 1–3",
        "clinical_scope": "Adult inpatient prescribing; no chemotherapy.",
        "user_groups": "Nurses and prescribers.",
        "operating_environment": "Supplier-hosted; ward PCs on the trust network.",
        "go_live_on": timezone.localdate() + timedelta(days=14),
    }
    return deploying.record_deployment(
        actor=rita, organisation=bundle.organisation, bundle=bundle, **{**defaults, **fields}
    )


@pytest.fixture
def deployment(rita: Any, bundle: Any) -> Any:
    return record(rita, bundle)


def transferred(deployment: Any, text: str) -> str:
    """The reference of the transferred control whose text is ``text``."""
    return next(
        c["reference"]
        for c in deployment.bundle.content["hazard_log"]["controls"]
        if c["description"] == text
    )


def decide_both(deployment: Any, rita: Any) -> Any:
    """Accept the ward lists, reject the downtime kit; returns the rejection."""
    deploying.decide_transfer(
        actor=rita, deployment=deployment, reference=transferred(deployment, WARD_LISTS),
        decision="accepted", implementation="Pharmacy configures the ward lists.",
    )  # fmt: skip
    return deploying.decide_transfer(
        actor=rita, deployment=deployment, reference=transferred(deployment, DOWNTIME),
        decision="rejected", reasons="We run a downtime viewer, not paper kits.",
    )  # fmt: skip


def ready_for_go_live(deployment: Any, rita: Any, ed: Any, ren: Any) -> Any:
    """Everything the go-live gate asks, short of the sign-off and the executive's acceptance:
    returns the go-live release."""
    from clinsafe.argument import services as argument

    deploying.review_assurance(
        actor=rita, deployment=deployment, conclusion="sufficient", comment="Evidence complete."
    )
    local = decide_both(deployment, rita).local_hazard
    for stage, likelihood in (("initial", 3), ("residual", 1)):
        hazards.assess_risk(
            actor=rita, hazard=local, stage=stage, severity=3, likelihood=likelihood
        )
    hazards.add_control(actor=rita, product=deployment.record, hazards=[local], kind="design",
                        description="Downtime viewer on every ward", status="verified",
                        verification_evidence="Tested.")  # fmt: skip
    documents.approve_plan(actor=rita, product=deployment.record, password=PASSWORD,
                           statement="Approved.")  # fmt: skip
    go_live = deployment.record.releases.get()
    argument_for_local_hazards(deployment.record, rita)
    argument.put_forward(actor=rita, release=go_live)
    review_all(rita, go_live)
    return go_live


def argument_for_local_hazards(record: Any, rita: Any) -> None:
    from clinsafe.argument import services as argument
    from clinsafe.argument.graph import Kind

    argument.argue_over_all_hazards(actor=rita, product=record)
    for claim in [n for n in argument.argument_of(record).graph.of_kind(Kind.CLAIM) if n.hazard]:
        control = record.hazards.get(number=int(claim.hazard[2:])).controls.first()
        argument.add_node(
            actor=rita, product=record, revision=argument.argument_of(record).revision,
            kind="evidence", text="Checked at readiness review.", parent=claim.id,
            link="supported by", control=control.reference,
        )  # fmt: skip


def go_live(deployment: Any, rita: Any, ed: Any, ren: Any) -> Any:
    release = ready_for_go_live(deployment, rita, ed, ren)
    sign_off(rita, release)
    deploying.accept_deployment_risks(
        actor=ed, deployment=deployment, password=PASSWORD, statement="Accepted for the board."
    )
    return gate.record_released(actor=rita, release=release)
