"""The gate's rule for the safety case: the argument put forward for the release has no
errors. Registered with the gate when the app is ready."""

from __future__ import annotations

from collections.abc import Iterator

from clinsafe.argument.assessment import check_release
from clinsafe.argument.checks import spelt_out
from clinsafe.core.formats import long_date
from clinsafe.gate.decision import Outcome, RuleOutcome
from clinsafe.gate.evaluation import HazardLog, add_rule_source
from clinsafe.products.models import Release

TITLE = "The safety argument put forward for the release has no errors"
SHOWN = 5  # errors spelt out in the gate's message; the argument page lists them all


@add_rule_source
def argument_rule(release: Release, log: HazardLog) -> Iterator[RuleOutcome]:
    checked = check_release(release, log)
    if checked is None:
        yield RuleOutcome(
            "argument",
            TITLE,
            Outcome.PENDING,
            f"The CSO has not put the safety argument forward for {release.version}.",
        )
        return
    report, snapshot = checked.report, checked.snapshot
    assert snapshot is not None
    errors = report.errors
    if errors:
        listed = " ".join(spelt_out(e.message, checked.argument) for e in errors[:SHOWN])
        more = f" …and {len(errors) - SHOWN} more." if len(errors) > SHOWN else ""
        yield RuleOutcome(
            "argument",
            TITLE,
            Outcome.BLOCKED,
            f"The argument put forward for {release.version} has {len(errors)} "
            f"error{'s' if len(errors) != 1 else ''}: {listed}{more}",
        )
        return
    yield RuleOutcome(
        "argument",
        TITLE,
        Outcome.PASSED,
        f"Put forward by {snapshot.taken_by_name} on {long_date(snapshot.taken_at)}: no errors, "
        f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}, "
        f"{report.confidence}.",
    )
