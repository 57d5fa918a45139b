"""The gate's rule for the DCB0129 compliance assessment: the release has one, signed by
the CSO over its answers as they stand. Registered with the gate when the app is ready."""

from __future__ import annotations

from collections.abc import Iterator

from clinsafe.deployments.records import deployment_of
from clinsafe.gate.decision import Outcome, RuleOutcome
from clinsafe.gate.evaluation import HazardLog, add_rule_source
from clinsafe.products.models import Release
from clinsafe.reports.services import compliance_of

TITLE = "The release has a DCB0129 compliance assessment signed by the CSO"


@add_rule_source
def compliance_rule(release: Release, log: HazardLog) -> Iterator[RuleOutcome]:
    if deployment_of(release.product) is not None:
        return  # DCB0129 binds the manufacturer; a deployment answers to DCB0160's rules
    compliance = compliance_of(release)
    if compliance.assessment is None:
        message = f"No DCB0129 compliance assessment is recorded for {release.version}."
    elif compliance.signature is None:
        message = "The CSO has not signed the compliance assessment."
    elif not compliance.signed_current:
        message = "The compliance assessment changed after the CSO signed it: sign it again."
    else:
        yield RuleOutcome("compliance", TITLE, Outcome.PASSED, compliance.summary)
        return
    yield RuleOutcome("compliance", TITLE, Outcome.PENDING, message)
