"""Helpers for histories on the way to a release."""

from typing import Any

from django.test import TestCase, override_settings

from clinsafe.gate import services as gate
from clinsafe.hazards import services as hazards
from tests.conftest import PASSWORD


def assessed(product: Any, actor: Any, initial: tuple[int, int], residual: tuple[int, int],
             **fields: Any) -> Any:  # fmt: skip
    """A hazard assessed at ``initial`` and ``residual`` (severity, likelihood)."""
    from tests.conftest import raise_hazard

    hazard = raise_hazard(product, actor, **fields)
    for stage, (severity, likelihood) in (("initial", initial), ("residual", residual)):
        hazards.assess_risk(
            actor=actor, hazard=hazard, stage=stage, severity=severity, likelihood=likelihood,
            rationale="Severity lowered by design." if stage == "residual" else "",
        )  # fmt: skip
    return hazard


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def sign_off(cso: Any, release: Any, issue: bool = True) -> Any:
    """The CSO's sign-off and, unless ``issue`` is false, what the worker does once it has
    committed (issue the release's documents), run here as the commit would start it."""
    with override_settings(TASKS=IMMEDIATE_TASKS), TestCase.captureOnCommitCallbacks(execute=issue):
        return gate.sign_off_release(
            actor=cso, release=release, password=PASSWORD, statement="Safe to release."
        )


def review_all(cso: Any, release: Any) -> None:
    from clinsafe.gate.evaluation import evaluate

    for waiting in evaluate(release).waiting_review:
        hazard = release.product.hazards.get(number=waiting["number"])
        gate.review_hazard(actor=cso, hazard=hazard)
