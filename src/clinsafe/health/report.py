"""The board report: the CSO health check of every product, and what the board must see
about releases, overrides and accepted risk over a period."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from clinsafe.core.models import Organisation
from clinsafe.deployments.models import Deployment
from clinsafe.deployments.records import go_live, next_review_due
from clinsafe.gate.evaluation import HazardLog, evaluate, gate_report, hazard_log, report
from clinsafe.gate.models import AcceptedAs, Override, RiskAcceptance
from clinsafe.hazards.models import Hazard, HazardStatus
from clinsafe.health.evidence import health_check
from clinsafe.health.models import ProcessReview
from clinsafe.incidents.models import Incident, IncidentStatus
from clinsafe.incidents.services import overdue_actions
from clinsafe.products.models import Release


def board_report(organisation: Organisation, start: date, end: date) -> dict[str, Any]:
    products = list(organisation.products.all())
    releases = (
        Release.objects.filter(product__organisation=organisation)
        .filter(created_at__date__lte=end)
        .exclude(released_at__date__lt=start)
        .select_related("product__organisation")
        .order_by("product__name", "created_at")
    )
    overrides = (
        Override.objects.filter(
            release__product__organisation=organisation, signed_at__date__range=(start, end)
        )
        .select_related("release__product")
        .order_by("signed_at")
    )
    acceptances = RiskAcceptance.objects.filter(
        hazard__product__organisation=organisation, signed_at__date__range=(start, end)
    ).select_related("hazard__product")
    in_log = Hazard.objects.filter(product__organisation=organisation).in_log().with_current_risk()
    open_in_log = in_log.exclude(status=HazardStatus.CLOSED)
    open_hazards = list(open_in_log.select_related("product").order_by("product", "number"))
    ratings = [h.residual_rating for h in open_hazards]  # type: ignore[attr-defined]
    latest_review = ProcessReview.objects.filter(organisation=organisation).first()
    gates, waiting_review = [], []
    logs: dict[int, HazardLog] = {}
    for release in releases:
        if release.is_closed:
            gates.append((release, gate_report(release)))
            continue
        if release.product_id not in logs:
            logs[release.product_id] = hazard_log(release.product)
        # Once, for both the decision and the waiting list.
        evaluation = evaluate(release, logs[release.product_id])
        gates.append((release, report(evaluation)))
        if evaluation.waiting_review:
            waiting_review.append((release, evaluation.waiting_review))
    return {
        "organisation": organisation,
        "start": start,
        "end": end,
        "generated_at": timezone.now(),
        "checks": [health_check(p, start, end) for p in products],
        "releases": gates,
        "overrides": list(overrides),
        "accepted_by_cso": [a for a in acceptances if a.accepted_as == AcceptedAs.CSO],
        "accepted_by_executive": [a for a in acceptances if a.accepted_as == AcceptedAs.EXECUTIVE],
        "by_rating": sorted(Counter(ratings).items(), key=lambda item: (item[0] is None, item[0])),
        "rating_4": [h for h in open_hazards if h.residual_rating == 4],  # type: ignore[attr-defined]
        "process_review": latest_review,
        "process_review_overdue": latest_review is None or latest_review.next_due_on < end,
        "waiting_review": waiting_review,
        # Reported in the period, and any still open from before.
        "incidents": Incident.objects.filter(product__organisation=organisation)
        .filter(Q(reported_on__range=(start, end)) | ~Q(status=IncidentStatus.CLOSED))
        .select_related("product")
        .order_by("product__name", "number"),
        "overdue_actions": overdue_actions(organisation.products.all()),
        "reviews_overdue": reviews_overdue(organisation, end),
    }


def reviews_overdue(organisation: Organisation, end: date) -> list[tuple[Deployment, date]]:
    """The organisation's deployments whose in-use review was due before ``end``."""
    overdue = []
    for deployment in organisation.deployments.select_related("bundle", "record"):
        due = next_review_due(deployment, go_live(deployment))
        if due is not None and due < end:
            overdue.append((deployment, due))
    return overdue
