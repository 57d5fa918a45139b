"""The gate's rule for changes: every change the release carries has the CSO's safety
impact assessment. Registered with the gate when the app is ready."""

from __future__ import annotations

from collections.abc import Iterator

from clinsafe.gate.decision import Outcome, RuleOutcome
from clinsafe.gate.evaluation import HazardLog, add_rule_source
from clinsafe.products.models import Release

TITLE = "Every change in the release has a safety impact assessment"


@add_rule_source
def changes_assessed(release: Release, log: HazardLog) -> Iterator[RuleOutcome]:
    changes = list(release.changes.order_by("number"))
    waiting = tuple(c.reference for c in changes if not c.is_assessed)
    if waiting:
        yield RuleOutcome(
            "changes_assessed",
            TITLE,
            Outcome.PENDING,
            f"The CSO must assess the safety impact of {', '.join(waiting)}.",
            waiting,
        )
        return
    altering = [c.reference for c in changes if c.alters_clinical_risk]
    yield RuleOutcome(
        "changes_assessed",
        TITLE,
        Outcome.PASSED,
        f"All {len(changes)} changes are assessed"
        + (f"; {', '.join(altering)} alter clinical risk." if altering else ".")
        if changes
        else "No change is recorded against this release.",
    )
