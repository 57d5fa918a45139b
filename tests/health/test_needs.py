"""Each need of a real CSO judged sound, at risk and hollow from plain facts."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from clinsafe.health.needs import (
    HealthFacts,
    ReleaseEngagement,
    Status,
    Thresholds,
    assess,
    overall,
    workload_hours,
)

END = date(2026, 11, 23)
REAL = HealthFacts(
    cso_name="Priya Shah",
    period_start=date(2025, 11, 23),
    period_end=END,
    registered=True,
    registration_current=True,
    training_current=True,
    hazards=10,
    hazards_touched_by_cso=8,
    last_review_on=date(2026, 11, 1),
    protected_hours=Decimal(16),
    products_covered=1,
    hazards_covered=10,
    releases_in_period=2,
    last_process_review_on=date(2026, 5, 1),
    process_review_due_on=date(2027, 5, 1),
    can_block=True,
    blocks=1,
    releases=(ReleaseEngagement("2.0", date(2026, 6, 1), date(2026, 4, 1), date(2026, 5, 20)),),
)


def need(facts, key):
    return next(n for n in assess(facts) if n.key == key)


def test_a_real_cso_is_sound_on_every_need():
    needs = assess(REAL)
    assert {n.key: n.status for n in needs} == {
        "credentials": Status.SOUND, "understanding": Status.SOUND, "time": Status.SOUND,
        "process": Status.SOUND, "authority": Status.SOUND, "early_engagement": Status.SOUND,
    }  # fmt: skip
    assert overall(needs) == Status.SOUND
    assert all(n.remedy == "" for n in needs)


@pytest.mark.parametrize(
    ("key", "changes", "status", "summary"),
    [
        ("credentials", {"training_current": False}, Status.AT_RISK,
         "Priya Shah's clinical risk management training has lapsed."),
        ("credentials", {"registration_current": False}, Status.HOLLOW,
         "Priya Shah is not a clinician with a current registration."),
        ("understanding", {"hazards_touched_by_cso": 4}, Status.AT_RISK,
         "The CSO knows part of the hazard log, or not recently."),
        ("understanding", {"last_review_on": date(2026, 7, 1)}, Status.AT_RISK,
         "The CSO knows part of the hazard log, or not recently."),
        ("understanding", {"hazards_touched_by_cso": 1}, Status.HOLLOW,
         "The CSO has not looked at most of this product's hazards."),
        ("understanding", {"hazards_never_reviewed": 2}, Status.HOLLOW,
         "The CSO has not looked at most of this product's hazards."),
        ("time", {"protected_hours": Decimal("2.0")}, Status.AT_RISK,
         "2 h a week protected, short of the estimated 2.7 h."),
        ("time", {"protected_hours": Decimal(0)}, Status.HOLLOW,
         "0 h a week protected against an estimated 2.7 h."),
        ("process", {"process_review_due_on": date(2026, 11, 1)}, Status.AT_RISK,
         "The scheduled process review is overdue."),
        ("process", {"last_process_review_on": None, "process_review_due_on": None},
         Status.HOLLOW, "No review of the process is recorded."),
        ("authority", {"overrides": ("1.0 by A", "1.1 by A")}, Status.AT_RISK,
         "The CSO's blocks are often overridden."),
        ("authority", {"overrides": ("1.0", "1.1", "1.2")}, Status.HOLLOW,
         "The CSO's blocks are routinely overridden."),
        ("authority", {"can_block": False}, Status.HOLLOW,
         "Priya Shah cannot stop a release: the role is advisory only."),
        ("early_engagement",
         {"releases": (ReleaseEngagement("2.0", date(2026, 6, 1), date(2026, 5, 25), None),)},
         Status.AT_RISK, "The CSO is engaged late: a median of 7 days before release."),
        ("early_engagement",
         {"releases": (ReleaseEngagement("2.0", date(2026, 6, 1), date(2026, 6, 1),
                                         date(2026, 6, 1)),)},
         Status.HOLLOW, "The CSO is brought in on release day, or not at all."),
        ("early_engagement",
         {"releases": (ReleaseEngagement("2.0", date(2026, 6, 1), None, None),)},
         Status.HOLLOW, "The CSO is brought in on release day, or not at all."),
    ],
)  # fmt: skip
def test_each_need_turns_at_risk_or_hollow_on_its_evidence(key, changes, status, summary):
    judged = need(replace(REAL, **changes), key)
    assert (judged.status, judged.summary) == (status, summary)
    assert judged.remedy


def test_the_evidence_says_what_the_verdict_rests_on():
    late = replace(
        REAL,
        releases=(ReleaseEngagement("2.0", date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 1)),),
    )
    assert need(late, "early_engagement").evidence == (
        "2.0, released 1 June 2026: CSO first acted 0 days before. Signed off on release day.",
    )
    assert need(REAL, "understanding").evidence[0] == (
        "The CSO raised, reviewed or re-assessed 8 of 10 hazards (80%)."
    )


def test_the_workload_formula_is_shown_with_its_numbers():
    hours, formula = workload_hours(REAL, Thresholds())
    assert round(hours, 2) == 2.65
    assert formula.startswith("2 h x 1 products + 1 h per 20 hazards x 10 hazards")
    assert "1 h x 0 open incidents" in formula
    busier, _ = workload_hours(replace(REAL, open_incidents=3), Thresholds())
    assert round(busier - hours, 2) == 3.0


def test_without_a_cso_every_need_is_hollow():
    needs = assess(HealthFacts(cso_name=None, period_start=END, period_end=END))
    assert {n.status for n in needs} == {Status.HOLLOW}
    assert needs[0].summary == "No Clinical Safety Officer is appointed."


def test_thresholds_come_from_settings_and_unknown_names_are_refused():
    assert Thresholds.from_settings({"review_at_risk_days": 30}).review_at_risk_days == 30
    with pytest.raises(ValueError, match=r"Unknown CSO health thresholds: \['nonsense'\]"):
        Thresholds.from_settings({"nonsense": 1})


def test_a_product_without_a_hazard_log_is_not_understood():
    judged = need(replace(REAL, hazards=0, hazards_touched_by_cso=0), "understanding")
    assert judged.status == Status.AT_RISK
    assert judged.summary == (
        "The product has no hazard log yet, so there is nothing the CSO could know."
    )
