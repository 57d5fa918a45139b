"""The gate's rule for the incident log: no incident against the product waits for triage.
(A triaged incident's hazards wait for re-assessment under the review rule.) Registered
with the gate when the app is ready."""

from __future__ import annotations

from collections.abc import Iterator

from clinsafe.gate.decision import Outcome, RuleOutcome
from clinsafe.gate.evaluation import HazardLog, add_rule_source
from clinsafe.products.models import Release

TITLE = "Every safety incident reported against the product is triaged"


@add_rule_source
def incidents_triaged(release: Release, log: HazardLog) -> Iterator[RuleOutcome]:
    waiting = log.untriaged_incidents
    if waiting:
        yield RuleOutcome(
            "incidents_triaged",
            TITLE,
            Outcome.PENDING,
            f"A CSO or clinical reviewer must triage {', '.join(waiting)} against the hazard log.",
            waiting,
        )
    else:
        yield RuleOutcome("incidents_triaged", TITLE, Outcome.PASSED, "No incident waits.")
