"""The requirements of DCB0129 v4.2 a manufacturer assesses itself against, clause by clause.

The standard is data (`standards/dcb0129-v4.2.csv`): its 61 clause numbers, in order, each
with a gist of the requirement (not the standard's wording) and where in clinsafe its evidence
is kept, so the assessment form can offer the link. Pure Python.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files

VERSION = "DCB0129 v4.2"


class Evidence(StrEnum):
    """Where the evidence for a requirement lives in clinsafe."""

    PLAN = "Clinical Risk Management Plan"
    CSO = "CSO page: appointment, registration, training"
    HAZARD_LOG = "Hazard Log"
    ARGUMENT = "Safety argument"
    REPORT = "Clinical Safety Case Report"
    RELEASE = "Release gate and sign-off"
    HEALTH = "CSO health check and process reviews"
    AUDIT = "Audit trail"
    INCIDENTS = "Safety Incident Management Log"
    CHANGES = "Change log and impact assessments"


class Obligation(StrEnum):
    SHALL = "shall"
    SHOULD = "should"


@dataclass(frozen=True)
class Requirement:
    clause: str
    obligation: Obligation
    text: str
    evidence: Evidence

    @property
    def wording(self) -> str:
        """The gist, marked "(should)" where the standard recommends rather than requires."""
        return f"{self.text} (should)" if self.obligation == Obligation.SHOULD else self.text

    @property
    def label(self) -> str:
        return f"{self.clause} {self.wording}"


def _read() -> tuple[Requirement, ...]:
    rows = files("clinsafe.reports").joinpath("standards/dcb0129-v4.2.csv").read_text("utf-8")
    return tuple(
        Requirement(
            row["clause"],
            Obligation(row["obligation"]),
            row["requirement"],
            Evidence[row["evidence"].upper()],
        )
        for row in csv.DictReader(rows.splitlines())
    )


REQUIREMENTS: tuple[Requirement, ...] = _read()
BY_CLAUSE = {r.clause: r for r in REQUIREMENTS}
