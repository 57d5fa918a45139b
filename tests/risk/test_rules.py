"""Rules that keep hazard and risk apart."""

from hypothesis import given
from hypothesis import strategies as st

from clinsafe.risk import Likelihood, Severity, check_residual, rating

estimates = st.tuples(st.sampled_from(Severity), st.sampled_from(Likelihood))


def codes(violations):
    return [v.code for v in violations]


def test_lowering_only_the_likelihood_needs_no_rationale():
    assert (
        check_residual((Severity.MAJOR, Likelihood.HIGH), (Severity.MAJOR, Likelihood.LOW), "")
        == []
    )


def test_a_residual_severity_above_the_initial_one_is_rejected_even_with_a_rationale():
    violations = check_residual(
        (Severity.CONSIDERABLE, Likelihood.LOW), (Severity.MAJOR, Likelihood.LOW), "because"
    )
    assert codes(violations) == ["residual_severity_above_initial"]
    assert violations[0].field == "severity"
    assert violations[0].message.startswith(
        "Residual severity (Major) cannot be above the initial severity (Considerable)"
    )


def test_a_lowered_severity_needs_a_written_rationale():
    violations = check_residual(
        (Severity.CATASTROPHIC, Likelihood.LOW), (Severity.MAJOR, Likelihood.LOW), "  "
    )
    assert codes(violations) == ["lowered_severity_needs_rationale"]
    assert violations[0].field == "rationale"
    assert (
        check_residual(
            (Severity.CATASTROPHIC, Likelihood.LOW),
            (Severity.MAJOR, Likelihood.LOW),
            "Downtime charts limit the harm to one ward.",
        )
        == []
    )


def test_a_residual_rating_above_the_initial_one_needs_a_rationale():
    violations = check_residual(
        (Severity.MAJOR, Likelihood.LOW), (Severity.MAJOR, Likelihood.HIGH), ""
    )
    assert codes(violations) == ["residual_rating_above_initial_needs_rationale"]
    assert violations[0].message == (
        "Residual rating (4) is above the initial rating (3); explain in the rationale why the "
        "risk is higher after controls."
    )


@given(estimates, estimates, st.sampled_from(["", "A written rationale."]))
def test_the_rules_hold_for_every_pair_of_estimates(initial, residual, rationale):
    found = codes(check_residual(initial, residual, rationale))
    assert ("residual_severity_above_initial" in found) == (residual[0] > initial[0])
    assert ("lowered_severity_needs_rationale" in found) == (
        residual[0] < initial[0] and not rationale
    )
    rating_rose = rating(*residual) > rating(*initial)
    assert ("residual_rating_above_initial_needs_rationale" in found) == (
        rating_rose and not rationale
    )
