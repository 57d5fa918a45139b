"""The DCB0129 example matrix, cell by cell, and its meanings."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinsafe.risk import (
    NHS_EXAMPLE_SCHEME,
    Likelihood,
    RiskScheme,
    Severity,
    acceptability,
    rating,
)

# The table as DCB0129's example scheme prints it: rows by likelihood, columns Minor..Catastrophic.
TABLE = {
    Likelihood.VERY_HIGH: [3, 4, 4, 5, 5],
    Likelihood.HIGH: [2, 3, 3, 4, 5],
    Likelihood.MEDIUM: [2, 2, 3, 3, 4],
    Likelihood.LOW: [1, 2, 2, 3, 4],
    Likelihood.VERY_LOW: [1, 1, 2, 2, 3],
}
SEVERITIES = [
    Severity.MINOR,
    Severity.SIGNIFICANT,
    Severity.CONSIDERABLE,
    Severity.MAJOR,
    Severity.CATASTROPHIC,
]


@pytest.mark.parametrize(
    ("likelihood", "severity", "expected"),
    [
        (likelihood, severity, row[i])
        for likelihood, row in TABLE.items()
        for i, severity in enumerate(SEVERITIES)
    ],
)
def test_each_of_the_25_cells_matches_the_dcb0129_table(likelihood, severity, expected):
    assert rating(severity, likelihood) == expected


def test_the_rating_is_a_lookup_not_a_product():
    assert rating(Severity.CATASTROPHIC, Likelihood.VERY_LOW) == 3
    assert rating(Severity.MINOR, Likelihood.VERY_HIGH) == 3
    assert rating(Severity.MAJOR, Likelihood.MEDIUM) == 3


@given(st.sampled_from(Severity), st.sampled_from(Likelihood))
def test_rating_never_falls_as_severity_or_likelihood_rises(severity, likelihood):
    here = rating(severity, likelihood)
    assert 1 <= here <= 5
    if severity < Severity.CATASTROPHIC:
        assert rating(Severity(severity + 1), likelihood) >= here
    if likelihood < Likelihood.VERY_HIGH:
        assert rating(severity, Likelihood(likelihood + 1)) >= here


def test_each_rating_has_its_dcb0129_meaning():
    assert acceptability(1).meaning == "Acceptable; no further action required."
    assert acceptability(3).word == "Undesirable"
    assert "impractical" in acceptability(3).meaning
    assert acceptability(4).word == "Unacceptable"
    assert "elimination" in acceptability(4).meaning
    assert acceptability(5).word == "Unacceptable"


def test_an_unknown_rating_is_refused_with_the_valid_range():
    with pytest.raises(ValueError, match=r"Rating 6 is not in scheme .* \(ratings are 1 to 5\)"):
        acceptability(6)


def test_severity_and_likelihood_carry_their_meaning_as_help_text():
    assert Severity.MAJOR.meaning.startswith("Death or permanent life-changing incapacity of one")
    assert Severity.CATASTROPHIC.meaning.endswith("of multiple patients.")
    assert Likelihood.LOW.meaning == "Could occur, but in the great majority of occasions will not."
    assert Likelihood.VERY_HIGH.label == "Very high"


def test_a_scheme_without_a_row_for_every_likelihood_is_refused():
    with pytest.raises(ValueError, match="needs a row for every likelihood"):
        RiskScheme(
            name="partial",
            matrix={Likelihood.LOW: (1, 1, 1, 1, 1)},
            acceptabilities=NHS_EXAMPLE_SCHEME.acceptabilities,
        )


def test_a_stricter_scheme_changes_ratings_without_touching_callers():
    stricter = RiskScheme(
        name="stricter",
        matrix={lk: tuple(min(5, r + 1) for r in row) for lk, row in TABLE.items()},
        acceptabilities=NHS_EXAMPLE_SCHEME.acceptabilities,
    )
    assert rating(Severity.MINOR, Likelihood.VERY_LOW, stricter) == 2
    assert rating(Severity.MINOR, Likelihood.VERY_LOW) == 1
