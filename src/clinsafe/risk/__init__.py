"""The DCB0129/DCB0160 risk core: matrix, meanings and the rules that keep hazard and risk apart.

Pure Python: nothing here imports Django, so every caller (models, forms, API, CLI,
reports) shares one definition of the matrix.
"""

from clinsafe.risk.rules import RuleViolation, check_residual
from clinsafe.risk.scheme import (
    NHS_EXAMPLE_SCHEME,
    Acceptability,
    Likelihood,
    RiskScheme,
    Severity,
    acceptability,
    rating,
    stated_rating,
)

__all__ = [
    "NHS_EXAMPLE_SCHEME",
    "Acceptability",
    "Likelihood",
    "RiskScheme",
    "RuleViolation",
    "Severity",
    "acceptability",
    "check_residual",
    "rating",
    "stated_rating",
]
