"""UK professional regulators of clinicians, and the format of each one's registration number.

Pure Python: the forms, the API and the service that records a registration share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Regulator:
    code: str
    name: str
    pattern: str  # a full-match regular expression
    expected: str  # the format in words, for error messages

    def accepts(self, number: str) -> bool:
        return re.fullmatch(self.pattern, number) is not None


OTHER = "OTHER"

REGULATORS = {
    r.code: r
    for r in [
        Regulator("GMC", "General Medical Council", r"\d{7}", "7 digits, e.g. 1234567"),
        Regulator(
            "NMC",
            "Nursing and Midwifery Council",
            r"\d{2}[A-Z]\d{4}[A-Z]",
            "2 digits, a letter, 4 digits and a letter, e.g. 12A3456E",
        ),
        Regulator(
            "HCPC",
            "Health and Care Professions Council",
            r"[A-Z]{2}\d{4,6}",
            "a 2-letter profession prefix and 4 to 6 digits, e.g. PA12345",
        ),
        Regulator("GPhC", "General Pharmaceutical Council", r"\d{7}", "7 digits, e.g. 2012345"),
        Regulator("GDC", "General Dental Council", r"\d{1,6}", "up to 6 digits, e.g. 123456"),
        Regulator(
            "GOC",
            "General Optical Council",
            r"(01|D)-\d{4,6}",
            "01- or D- and 4 to 6 digits, e.g. 01-12345",
        ),
        Regulator("GOsC", "General Osteopathic Council", r"\d{4,5}", "4 or 5 digits, e.g. 4321"),
        Regulator("GCC", "General Chiropractic Council", r"\d{5}", "5 digits, e.g. 01234"),
        Regulator(
            "PSNI",
            "Pharmaceutical Society of Northern Ireland",
            r"\d{4,6}",
            "4 to 6 digits, e.g. 12345",
        ),
        Regulator(
            "SWE", "Social Work England", r"SW\d{1,6}", "SW and up to 6 digits, e.g. SW12345"
        ),
        Regulator(OTHER, "Other regulator", r".{1,50}", "up to 50 characters"),
    ]
}


def normalise_number(number: str) -> str:
    """Registration numbers are compared without spaces and in capitals."""
    return re.sub(r"\s+", "", number).upper()


def registration_number_error(regulator_code: str, number: str) -> str | None:
    """What is wrong with ``number`` for the regulator, or None when it is well formed."""
    regulator = REGULATORS.get(regulator_code)
    if regulator is None:
        return f"Unknown regulator {regulator_code!r}."
    if regulator.accepts(normalise_number(number)):
        return None
    return f"A {regulator.code} registration number is {regulator.expected}."
