"""The gate after go-live: incidents waiting for triage, hazards waiting for re-assessment
after an incident, and changes waiting for the CSO's assessment hold a release pending."""

import pytest

from clinsafe.gate.evaluation import evaluate, gate_report
from clinsafe.hazards import services as hazards
from clinsafe.products import changes
from tests.conftest import argue_for
from tests.gate.conftest import assessed, review_all, sign_off
from tests.incidents.conftest import report, triage

pytestmark = pytest.mark.django_db


def rule(release, code):
    return next(r for r in gate_report(release)["rules"] if r["code"] == code)


@pytest.fixture
def ready(cso, tom, release, product):
    """A release the gate approves, before anything happens after go-live."""
    hazard = assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    argue_for(release, cso, tom)
    sign_off(cso, release)
    assert gate_report(release)["decision"] == "approved"
    return hazard


def test_an_untriaged_incident_holds_every_release_pending(ready, release, product, alex):
    incident = report(product, alex)

    outcome = rule(release, "incidents_triaged")
    assert outcome["outcome"] == "pending"
    assert outcome["references"] == [incident.reference]
    assert gate_report(release)["decision"] == "pending"


def test_a_hazard_waits_for_review_until_reassessed_after_its_incident(
    ready, cso, release, product, alex
):
    triage(report(product, alex), cso, hazards=[ready])

    outcome = rule(release, "hazards_reviewed")
    assert outcome["outcome"] == "pending"
    assert "Re-assess the risk of H-001 after I-001" in outcome["message"]
    assert [h["reference"] for h in evaluate(release).waiting_review] == ["H-001"]

    hazards.assess_risk(actor=cso, hazard=ready, stage="residual", severity=1, likelihood=2,
                        rationale="Seen once in a year of use.")  # fmt: skip
    assert "Re-assess" not in rule(release, "hazards_reviewed")["message"]
    review_all(cso, release)
    assert rule(release, "hazards_reviewed")["outcome"] == "passed"


def test_a_change_without_an_assessment_holds_its_release_pending(ready, cso, release, sam):
    change = changes.propose_change(
        actor=sam, product=release.product, kind="release", title="Renal alerts",
        release=release,
    )  # fmt: skip

    outcome = rule(release, "changes_assessed")
    assert outcome["outcome"] == "pending"
    assert outcome["references"] == ["CH-001"]

    changes.assess_change(
        actor=cso, change=change, version=change.version, hazards=[ready], new_hazards=False,
        alters_clinical_risk=True, conclusion="Adds alerts; H-001 re-checked.",
    )  # fmt: skip
    assert rule(release, "changes_assessed")["outcome"] == "passed"
