"""Who may accept a residual risk of each rating: the one acceptance policy.

DCB0129's meaning of the ratings sets the floor: 1-2 are acceptable as assessed, 3 only
a Clinical Safety Officer may accept (with an ALARP rationale), 4 needs an accountable
executive on the CSO's recommendation, 5 may not be accepted at all. An organisation may
raise any rating's level, never lower it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType


class AcceptanceLevel(IntEnum):
    """Ordered from least to most demanding."""

    AS_ASSESSED = 1
    CSO = 2
    EXECUTIVE = 3
    NOT_ACCEPTABLE = 4

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def key(self) -> str:
        return self.name.lower()


_LABELS = {
    AcceptanceLevel.AS_ASSESSED: "Acceptable as assessed",
    AcceptanceLevel.CSO: "Clinical Safety Officer accepts, with an ALARP rationale",
    AcceptanceLevel.EXECUTIVE: (
        "Accountable executive accepts, on the CSO's recommendation, with a benefit-risk "
        "justification"
    ),
    AcceptanceLevel.NOT_ACCEPTABLE: "Cannot be accepted: the hazard must be further controlled",
}

DCB0129_LEVELS: Mapping[int, AcceptanceLevel] = MappingProxyType(
    {
        1: AcceptanceLevel.AS_ASSESSED,
        2: AcceptanceLevel.AS_ASSESSED,
        3: AcceptanceLevel.CSO,
        4: AcceptanceLevel.EXECUTIVE,
        5: AcceptanceLevel.NOT_ACCEPTABLE,
    }
)


@dataclass(frozen=True)
class AcceptancePolicy:
    levels: Mapping[int, AcceptanceLevel] = field(default_factory=lambda: DCB0129_LEVELS)

    def __post_init__(self) -> None:
        if set(self.levels) != set(DCB0129_LEVELS):
            raise ValueError("The acceptance policy needs a level for each rating 1 to 5.")
        for rating, level in self.levels.items():
            floor = DCB0129_LEVELS[rating]
            if level < floor:
                raise ValueError(
                    f"Rating {rating} cannot be made easier to accept than DCB0129 allows: "
                    f"at least '{floor.label}'."
                )

    @classmethod
    def stricter(cls, raised: Mapping[int, str]) -> AcceptancePolicy:
        """DCB0129's policy with some ratings raised, e.g. ``{3: "executive"}``."""
        levels = dict(DCB0129_LEVELS)
        for rating, key in raised.items():
            if int(rating) not in levels:
                raise ValueError(f"There is no rating {rating}; ratings are 1 to 5.")
            try:
                levels[int(rating)] = AcceptanceLevel[str(key).upper()]
            except KeyError:
                names = ", ".join(level.key for level in AcceptanceLevel)
                raise ValueError(
                    f"{key!r} is not an acceptance level; use one of {names}."
                ) from None
        return cls(MappingProxyType(levels))

    def level(self, rating: int) -> AcceptanceLevel:
        return self.levels[rating]

    def raised(self) -> dict[int, str]:
        """The ratings this policy makes stricter than DCB0129, as stored."""
        return {r: lv.key for r, lv in self.levels.items() if lv != DCB0129_LEVELS[r]}
