"""The risk matrix laid out for a page: rows from Very high to Very low likelihood."""

from __future__ import annotations

from dataclasses import dataclass, field

from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity


@dataclass
class Cell:
    severity: Severity
    likelihood: Likelihood
    rating: int
    count: int = 0
    link: str = ""
    marks: list[str] = field(default_factory=list)


def matrix_grid(
    counts: dict[tuple[int, int], int],
    *,
    link_stage: str | None = None,
    marks: dict[tuple[int, int], list[str]] | None = None,
) -> list[tuple[Likelihood, list[Cell]]]:
    """Rows of cells with hazard counts, filter links for ``link_stage``, and marks."""
    marks = marks or {}
    rows = []
    for likelihood in reversed(Likelihood):
        cells = []
        for severity in Severity:
            key = (severity.value, likelihood.value)
            link = (
                f"?{link_stage}_severity={severity.value}&{link_stage}_likelihood={likelihood.value}"
                if link_stage
                else ""
            )
            cells.append(
                Cell(
                    severity,
                    likelihood,
                    NHS_EXAMPLE_SCHEME.rating(severity, likelihood),
                    counts.get(key, 0),
                    link,
                    marks.get(key, []),
                )
            )
        rows.append((likelihood, cells))
    return rows
