"""Demo releases of the e-prescribing product, one in each state the gate can give, told as
the story of how the hazard log was brought up to standard after a release went out over
the CSO's block. Loaded through the same services as real work."""

from __future__ import annotations

from django.contrib.auth.models import User

from clinsafe.argument.services import put_forward
from clinsafe.demo import compliance
from clinsafe.demo.argument import develop_argument, raise_open_doubt
from clinsafe.demo.changes import change_in_2_4_0, changes_through_the_api
from clinsafe.demo.deployments import deploy_at_riverside
from clinsafe.demo.history import days_ago
from clinsafe.demo.incidents import incidents_after_go_live
from clinsafe.gate import services as gate
from clinsafe.gate.evaluation import evaluate
from clinsafe.hazards import services as hazards
from clinsafe.hazards.models import Control, ControlKind, ControlStatus, Hazard, Stage
from clinsafe.products import releases
from clinsafe.products.models import HazardChange, Product
from clinsafe.reports.issuing import issue_signed_documents
from clinsafe.risk import Likelihood as L
from clinsafe.risk import Severity as S

OVERRIDE_JUSTIFICATION = (
    "Release 2.3.0 carries the fix for the interaction-warning outage that is harming "
    "patients on the wards today; holding it back is the greater risk. The open hazards are "
    "covered for now by pharmacist verification of every order. The clinical team will "
    "complete the residual assessments before 2.4.0."
)


def load_releases(product: Product, people: dict[str, User], password: str) -> None:
    """2.3.0 released over a block and deployed by a trust, then incidents; 2.4.0 approved,
    its change assessed and its safety argument developed and put forward; 2.4.1 blocked;
    2.5.0 blocked by an open doubt in its argument; 2.4.2 pending on a change proposed
    through the API; and ResultsView 1.4.0, shipped over failing rules with its CSO first
    seen on release day."""
    cso, engineer, executive = people["cso"], people["engineer"], people["executive"]
    hazard = {h.reference: h for h in product.hazards.all()}

    with days_ago(200):
        compliance.approve_plan(product, cso, password)
    with days_ago(150):
        shipped = releases.create_release(
            actor=engineer,
            product=product,
            version="2.3.0",
            summary="Fix for interaction warnings not shown after a dictionary update.",
            hazards=[(hazard["H-006"], HazardChange.CHANGES)],
            build_identifier="ci-2025-3107",
            components={"medsflow-web": "2.3.0", "dm+d dictionary": "2025.10"},
            safety_settings={"interaction_alerts": "on", "dose_range_checks": "on"},
        )
        for reference in ("H-003", "H-006", "H-009"):
            gate.review_hazard(actor=cso, hazard=hazard[reference], comment="Early look for 2.3.0.")
    with days_ago(120):
        gate.block_release(
            actor=cso,
            release=shipped,
            password=password,
            reasons="H-011 and H-014 have no residual risk assessment, and the controls of H-003 "
            "and H-006 are not verified. I cannot support releasing until they are.",
        )
    with days_ago(110):
        gate.override_release(
            actor=executive,
            release=shipped,
            password=password,
            justification=OVERRIDE_JUSTIFICATION,
        )
        gate.record_released(actor=engineer, release=shipped)
    deploy_at_riverside(shipped, people, password)
    incidents_after_go_live(product, people)

    with days_ago(60):
        _complete_the_hazard_log(product, people, hazard, password)

    with days_ago(40):
        approved = releases.create_release(
            actor=engineer,
            product=product,
            version="2.4.0",
            summary="Residual risks assessed and accepted; decision-support rule-set check.",
            hazards=[
                (hazard["H-014"], HazardChange.CHANGES),
                (hazard["H-009"], HazardChange.AFFECTS),
            ],
            build_identifier="ci-2025-3311",
            components={"medsflow-web": "2.4.0", "dm+d dictionary": "2025.11"},
            safety_settings={"interaction_alerts": "on", "dose_range_checks": "on"},
        )
        releases.start_safety_review(actor=engineer, release=approved)
    change_in_2_4_0(approved, people)
    with days_ago(36):
        develop_argument(product, approved, people)
    with days_ago(32):
        put_forward(actor=cso, release=approved)
    with days_ago(31):
        compliance.assess_compliance(approved, cso, password)
    with days_ago(30):
        for waiting in evaluate(approved).waiting_review:
            reviewed = product.hazards.get(number=waiting["number"])
            gate.review_hazard(actor=cso, hazard=reviewed, comment="Reviewed for 2.4.0.")
    with days_ago(20):
        signed = gate.sign_off_release(
            actor=cso,
            release=approved,
            password=password,
            statement="Every hazard is assessed, its controls verified and its residual risk "
            "accepted at the right level. I approve 2.4.0 for release.",
        )
        issue_signed_documents(signed.issuing)  # as the worker would, at once

    with days_ago(10):
        hotfix = releases.create_release(
            actor=engineer,
            product=product,
            version="2.4.1",
            summary="Hotfix: change to infusion-rate rounding.",
            hazards=[(hazard["H-010"], HazardChange.AFFECTS)],
        )
        releases.start_safety_review(actor=engineer, release=hotfix)
        gate.block_release(
            actor=cso,
            release=hotfix,
            password=password,
            reasons="The hotfix changes how infusion rates are rounded (H-010) without the "
            "regression run on the infusion display. Run it and attach the report.",
        )

    with days_ago(5):
        redesign = releases.create_release(
            actor=engineer,
            product=product,
            version="2.5.0",
            summary="Discharge medicines reconciliation redesign.",
            hazards=[(hazard["H-011"], HazardChange.CHANGES)],
        )
    with days_ago(3):
        raise_open_doubt(product, people)
        put_forward(actor=cso, release=redesign)
    changes_through_the_api(product, people)
    _ship_results_viewer(people, password)


def _ship_results_viewer(people: dict[str, User], password: str) -> None:
    """A hollow CSO role: Raj has no authority and lapsed credentials, and first looks at
    the release on the day it ships, over the gate."""
    results = Product.objects.get(slug="demo-results-viewer")
    engineer, reviewer = people["engineer"], people["reviewer"]
    with days_ago(60):
        raised = []
        for title, description in [
            ("Result shown against the wrong patient", "A result is filed to a patient with a "
             "similar name and date of birth."),
            ("Abnormal result not highlighted", "The abnormal flag is lost for results from an "
             "external laboratory."),
            ("Superseded result shown as final", "An amended report does not replace the "
             "original in the list."),
        ]:  # fmt: skip
            new = hazards.create_hazard(
                actor=engineer, product=results, title=title, description=description
            )
            for stage, likelihood in ((Stage.INITIAL, L.LOW), (Stage.RESIDUAL, L.VERY_LOW)):
                hazards.assess_risk(
                    actor=reviewer,
                    hazard=new,
                    stage=stage,
                    severity=S.CONSIDERABLE,
                    likelihood=likelihood,
                )
            raised.append(new)
    with days_ago(20):
        release = releases.create_release(
            actor=engineer, product=results, version="1.4.0", summary="New results inbox."
        )
    with days_ago(14):
        gate.review_hazard(
            actor=people["raj"], hazard=raised[0], comment="First look, on release day."
        )
        gate.override_release(
            actor=people["executive"],
            release=release,
            password=password,
            justification="The new inbox was promised to GP practices for this week. The "
            "results team will watch for filing errors during the first month of use, and "
            "report any to the CSO.",
        )
        gate.record_released(actor=engineer, release=release)


def _complete_the_hazard_log(
    product: Product, people: dict[str, User], hazard: dict[str, Hazard], password: str
) -> None:
    cso, engineer, executive = people["cso"], people["engineer"], people["executive"]
    for control in (
        Control.objects.filter(product=product)
        .exclude(kind=ControlKind.TRANSFERRED)
        .exclude(status=ControlStatus.VERIFIED)
    ):
        hazards.edit_control(
            actor=engineer,
            control=control,
            version=control.version,
            status=ControlStatus.VERIFIED,
            verification_evidence="Verified in the 2.4 system test report ST-24-017.",
        )
    ward_lists = Control.objects.get(product=product, description__startswith="Deploying "
                                     "organisations must configure ward lists")  # fmt: skip
    hazards.edit_control(
        actor=engineer,
        control=ward_lists,
        version=ward_lists.version,
        description=f"{ward_lists.description[:-1]}, and check them again after every ward "
        "move or reconfiguration.",
    )
    for reference, (severity, likelihood), rationale in [
        ("H-011", (S.CONSIDERABLE, L.LOW), "Reconciliation prompt verified in testing."),
        ("H-014", (S.MAJOR, L.VERY_LOW), "Rule-set version is checked at every release."),
        ("H-009", (S.CATASTROPHIC, L.LOW), "Long outages outlast the paper fallback; the "
         "severity stays catastrophic and the likelihood is not lowered."),
    ]:  # fmt: skip
        hazards.assess_risk(
            actor=cso,
            hazard=hazard[reference],
            stage=Stage.RESIDUAL,
            severity=severity,
            likelihood=likelihood,
            rationale=rationale,
        )
    for reference in ("H-003", "H-006", "H-007"):
        gate.accept_risk(
            actor=cso,
            hazard=hazard[reference],
            password=password,
            rationale="Further reduction would need changes outside the product (ward "
            "practice) that the deploying organisation owns; the residual risk is ALARP.",
        )
    gate.escalate_risk(
        actor=cso,
        hazard=hazard["H-009"],
        recommendation="Accept for 2.4.0: a second data centre is planned for 2026; until "
        "then the paper fallback and the downtime procedure are the best available controls.",
    )
    gate.accept_risk(
        actor=executive,
        hazard=hazard["H-009"],
        password=password,
        rationale="Electronic prescribing prevents far more harm than rare outages cause; "
        "the board has funded the second data centre.",
    )
