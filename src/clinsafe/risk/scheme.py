"""Severity, likelihood and the risk scheme that turns them into a rating.

The rating is a lookup in the scheme's matrix, never severity x likelihood: the NHS
example scheme is not multiplicative (Catastrophic/Very low is 3, Minor/Very high is 3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType


class Severity(IntEnum):
    """Worst credible clinical harm, counted in patients harmed (DCB0129 example scheme)."""

    MINOR = 1
    SIGNIFICANT = 2
    CONSIDERABLE = 3
    MAJOR = 4
    CATASTROPHIC = 5

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def meaning(self) -> str:
        return _SEVERITY_MEANINGS[self]


class Likelihood(IntEnum):
    """How likely the harm is to occur, given the hazard (DCB0129 example scheme)."""

    VERY_LOW = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4
    VERY_HIGH = 5

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def meaning(self) -> str:
        return _LIKELIHOOD_MEANINGS[self]


_SEVERITY_MEANINGS = {
    Severity.MINOR: (
        "Minimal injury requiring no or minimal intervention or treatment; minor upset, "
        "inconvenience or negligible consequence to one patient."
    ),
    Severity.SIGNIFICANT: (
        "Minor injury or significant psychological trauma to one patient with lasting "
        "effect; or short-term minor injury or upset to several patients."
    ),
    Severity.CONSIDERABLE: (
        "Severe short-term injury or severe psychological trauma to one patient; or "
        "lasting minor injury or significant trauma to several patients."
    ),
    Severity.MAJOR: (
        "Death or permanent life-changing incapacity of one patient; or severe injury "
        "(recoverable in the short term) or severe psychological trauma to several patients."
    ),
    Severity.CATASTROPHIC: ("Death or permanent life-changing incapacity of multiple patients."),
}

_LIKELIHOOD_MEANINGS = {
    Likelihood.VERY_LOW: "Negligible or nearly negligible possibility of occurring.",
    Likelihood.LOW: "Could occur, but in the great majority of occasions will not.",
    Likelihood.MEDIUM: "Possible.",
    Likelihood.HIGH: "Not certain but reasonably expected to occur in most cases.",
    Likelihood.VERY_HIGH: "Certain or almost certain; highly likely to occur.",
}


@dataclass(frozen=True)
class Acceptability:
    """What a rating means for the hazard that carries it."""

    rating: int
    word: str
    meaning: str


@dataclass(frozen=True)
class RiskScheme:
    """A risk acceptability scheme, as a Clinical Risk Management Plan declares it.

    ``matrix`` maps likelihood to the ratings for each severity, Minor first.
    """

    name: str
    matrix: Mapping[Likelihood, tuple[int, int, int, int, int]]
    acceptabilities: Mapping[int, Acceptability]

    def __post_init__(self) -> None:
        if set(self.matrix) != set(Likelihood):
            raise ValueError(f"Scheme {self.name!r}: the matrix needs a row for every likelihood.")
        for likelihood, row in self.matrix.items():
            if len(row) != len(Severity):
                raise ValueError(
                    f"Scheme {self.name!r}: row {likelihood.label} needs one rating per severity."
                )
            unknown = set(row) - set(self.acceptabilities)
            if unknown:
                raise ValueError(
                    f"Scheme {self.name!r}: ratings {sorted(unknown)} have no stated meaning."
                )

    def rating(self, severity: Severity, likelihood: Likelihood) -> int:
        return self.matrix[Likelihood(likelihood)][Severity(severity) - 1]

    def acceptability(self, rating: int) -> Acceptability:
        try:
            return self.acceptabilities[rating]
        except KeyError:
            raise ValueError(
                f"Rating {rating!r} is not in scheme {self.name!r} "
                f"(ratings are {min(self.acceptabilities)} to {max(self.acceptabilities)})."
            ) from None

    @property
    def ratings(self) -> list[int]:
        return sorted(self.acceptabilities)


NHS_EXAMPLE_SCHEME = RiskScheme(
    name="NHS example scheme (DCB0129/DCB0160)",
    matrix=MappingProxyType(
        {
            Likelihood.VERY_HIGH: (3, 4, 4, 5, 5),
            Likelihood.HIGH: (2, 3, 3, 4, 5),
            Likelihood.MEDIUM: (2, 2, 3, 3, 4),
            Likelihood.LOW: (1, 2, 2, 3, 4),
            Likelihood.VERY_LOW: (1, 1, 2, 2, 3),
        }
    ),
    acceptabilities=MappingProxyType(
        {
            1: Acceptability(1, "Acceptable", "Acceptable; no further action required."),
            2: Acceptability(
                2,
                "Acceptable",
                "Acceptable where further risk reduction is impractical or its cost "
                "outweighs the gain.",
            ),
            3: Acceptability(
                3,
                "Undesirable",
                "Undesirable; acceptable only where further risk reduction is impractical.",
            ),
            4: Acceptability(
                4,
                "Unacceptable",
                "Mandatory elimination of the hazard or addition of controls to reduce the risk "
                "to an acceptable level.",
            ),
            5: Acceptability(5, "Unacceptable", "Unacceptable; the risk may not be carried."),
        }
    ),
)


def rating(
    severity: Severity, likelihood: Likelihood, scheme: RiskScheme = NHS_EXAMPLE_SCHEME
) -> int:
    """The rating (1-5) of a severity and likelihood in ``scheme``."""
    return scheme.rating(severity, likelihood)


def acceptability(rating: int, scheme: RiskScheme = NHS_EXAMPLE_SCHEME) -> Acceptability:
    """What ``rating`` means in ``scheme``."""
    return scheme.acceptability(rating)


def stated_rating(text: str) -> int | None:
    """The rating a spreadsheet states, from its leading number ("4", "4 - High", "4.0");
    None if it states none."""
    match = re.match(r"\s*(\d+)", text)
    return int(match.group(1)) if match else None
