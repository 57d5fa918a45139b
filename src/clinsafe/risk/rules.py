"""Rules that keep hazard and risk apart when a residual risk is estimated.

A control usually lowers the likelihood of harm, seldom the worst credible harm itself,
so a lowered severity must be argued for in writing; a residual risk higher than the
initial one is unusual and must be explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinsafe.risk.scheme import NHS_EXAMPLE_SCHEME, Likelihood, RiskScheme, Severity


@dataclass(frozen=True)
class RuleViolation:
    """A broken rule: the field it concerns, a stable code and a message for people."""

    field: str
    code: str
    message: str


def check_residual(
    initial: tuple[Severity, Likelihood],
    residual: tuple[Severity, Likelihood],
    rationale: str,
    scheme: RiskScheme = NHS_EXAMPLE_SCHEME,
) -> list[RuleViolation]:
    """Violations of the residual-risk rules, empty when the residual estimate is sound."""
    initial_severity, initial_likelihood = Severity(initial[0]), Likelihood(initial[1])
    residual_severity, residual_likelihood = Severity(residual[0]), Likelihood(residual[1])
    has_rationale = bool(rationale.strip())
    violations = []
    if residual_severity > initial_severity:
        violations.append(
            RuleViolation(
                "severity",
                "residual_severity_above_initial",
                f"Residual severity ({residual_severity.label}) cannot be above the initial "
                f"severity ({initial_severity.label}): controls do not make the worst credible "
                "harm worse. Re-assess the initial risk instead.",
            )
        )
    elif residual_severity < initial_severity and not has_rationale:
        violations.append(
            RuleViolation(
                "rationale",
                "lowered_severity_needs_rationale",
                f"Residual severity ({residual_severity.label}) is below the initial severity "
                f"({initial_severity.label}); a control seldom changes the worst credible harm, "
                "so explain in the rationale how it does here.",
            )
        )
    initial_rating = scheme.rating(initial_severity, initial_likelihood)
    residual_rating = scheme.rating(residual_severity, residual_likelihood)
    if residual_rating > initial_rating and not has_rationale:
        violations.append(
            RuleViolation(
                "rationale",
                "residual_rating_above_initial_needs_rationale",
                f"Residual rating ({residual_rating}) is above the initial rating "
                f"({initial_rating}); explain in the rationale why the risk is higher after "
                "controls.",
            )
        )
    return violations
