"""The facts the CSO health check judges, read from the records for one product's CSO over
a period, and the check itself as the pages, the API and the board report show it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, Sum
from django.utils import timezone

from clinsafe.core.cso import cso_position
from clinsafe.core.formats import long_date
from clinsafe.core.services import active_appointments
from clinsafe.gate.models import AcceptedAs, Block, HazardReview, Override, RiskAcceptance, SignOff
from clinsafe.hazards.models import Hazard, RiskEstimate
from clinsafe.health.models import ProcessReview, TimeRecord
from clinsafe.health.needs import (
    HealthFacts,
    Need,
    ReleaseEngagement,
    Status,
    Thresholds,
    assess,
    overall,
)
from clinsafe.incidents.models import Incident, IncidentStatus
from clinsafe.products.models import Product, Release, ReleaseStage

DEFAULT_PERIOD_DAYS = 365


@dataclass
class HealthCheck:
    product: Product
    facts: HealthFacts
    needs: list[Need]
    thresholds: Thresholds

    @property
    def status(self) -> Status:
        return overall(self.needs)

    @property
    def threshold_items(self) -> list[tuple[str, Any]]:
        return list(asdict(self.thresholds).items())

    def as_data(self) -> dict[str, Any]:
        """The check as the API returns it."""
        return {
            "product": self.product.slug,
            "cso": self.facts.cso_name,
            "period": {"start": self.facts.period_start, "end": self.facts.period_end},
            "status": self.status,
            "needs": {
                n.key: {
                    "title": n.title,
                    "status": n.status,
                    "summary": n.summary,
                    "evidence": list(n.evidence),
                    "rule": n.rule,
                    "remedy": n.remedy,
                }
                for n in self.needs
            },
        }


def thresholds() -> Thresholds:
    return Thresholds.from_settings(settings.CSO_HEALTH_THRESHOLDS)


def default_period(today: date) -> tuple[date, date]:
    return today - timedelta(days=DEFAULT_PERIOD_DAYS), today


def health_check(product: Product, start: date, end: date) -> HealthCheck:
    t = thresholds()
    facts = health_facts(product, start, end)
    return HealthCheck(product, facts, assess(facts, t), t)


def health_facts(product: Product, start: date, end: date) -> HealthFacts:
    position = cso_position(product, on=end)
    appointment = position.appointment
    if appointment is None or position.facts is None:
        return HealthFacts(cso_name=None, period_start=start, period_end=end)
    cso = appointment.user
    registration = position.facts.registration
    hazards = Hazard.objects.filter(product=product).in_log()
    touched = hazards.filter(
        Q(raised_by=cso) | Q(reviews__reviewed_by=cso) | Q(estimates__assessed_by=cso)
    ).distinct()
    last_review = HazardReview.objects.filter(hazard__product=product, reviewed_by=cso).aggregate(
        last=Max("reviewed_at")
    )["last"]
    never_reviewed = hazards.exclude(pk__in=HazardReview.objects.values("hazard")).exclude(
        pk__in=RiskEstimate.objects.values("hazard")
    )
    covered = _products_covered(cso, product)
    recorded = TimeRecord.objects.filter(
        user=cso, organisation=product.organisation, week_starting__range=(start, end)
    ).aggregate(total=Sum("hours"))["total"]
    process = ProcessReview.objects.filter(
        organisation=product.organisation, held_on__lte=end
    ).first()
    in_period = {"signed_at__date__range": (start, end)}
    releases = Release.objects.filter(product=product)
    overrides = Override.objects.filter(release__in=releases, **in_period).order_by("signed_at")
    return HealthFacts(
        cso_name=position.facts.name,
        period_start=start,
        period_end=end,
        registered=registration is not None,
        registration_current=position.registration_current,
        training_current=position.training_current,
        hazards=hazards.count(),
        hazards_touched_by_cso=touched.count(),
        hazards_never_reviewed=never_reviewed.count(),
        last_review_on=timezone.localdate(last_review) if last_review else None,
        protected_hours=Decimal(appointment.protected_hours_per_week),
        products_covered=len(covered),
        hazards_covered=Hazard.objects.filter(product__in=covered).in_log().count(),
        open_incidents=Incident.objects.filter(product__in=covered)
        .exclude(status=IncidentStatus.CLOSED)
        .count(),
        releases_in_period=Release.objects.filter(
            product__in=covered, created_at__date__range=(start, end)
        ).count(),
        recorded_hours=recorded,
        last_process_review_on=process.held_on if process else None,
        process_review_due_on=process.next_due_on if process else None,
        can_block=appointment.can_block_release,
        blocks=Block.objects.filter(release__in=releases, signer=cso, **in_period).count(),
        overrides=tuple(
            f"{o.release.version} by {o.signer_name} on {long_date(o.signed_at)}"
            for o in overrides.select_related("release")
            if o.overridden.get("blocks")
        ),
        executive_acceptances=RiskAcceptance.objects.filter(
            hazard__product=product, accepted_as=AcceptedAs.EXECUTIVE, **in_period
        ).count(),
        releases=tuple(_engagement(r, cso) for r in releases.filter(
            stage=ReleaseStage.RELEASED, released_at__date__range=(start, end)
        ).order_by("released_at")),
    )  # fmt: skip


def _products_covered(cso: Any, product: Product) -> list[Product]:
    """Every product the CSO's appointments in force cover (one may cover all products)."""
    appointments = active_appointments(organisation=product.organisation).filter(user=cso)
    if appointments.filter(product__isnull=True).exists():
        return list(product.organisation.products.all())
    return list(Product.objects.filter(appointments__in=appointments).distinct())


def _engagement(release: Release, cso: Any) -> ReleaseEngagement:
    """When the CSO first acted on the release: a review of the product's hazards while it
    was being made, a block or a sign-off."""
    assert release.released_at is not None
    window = (release.created_at, release.released_at)
    moments = [
        *HazardReview.objects.filter(
            hazard__product=release.product_id, reviewed_by=cso, reviewed_at__range=window
        ).values_list("reviewed_at", flat=True),
        *Block.objects.filter(release=release, signer=cso).values_list("signed_at", flat=True),
        *SignOff.objects.filter(release=release, signer=cso).values_list("signed_at", flat=True),
    ]
    last_sign_off = (
        SignOff.objects.filter(release=release, signer=cso).order_by("-signed_at").first()
    )
    return ReleaseEngagement(
        version=release.version,
        released_on=timezone.localdate(release.released_at),
        first_action_on=timezone.localdate(min(moments)) if moments else None,
        signed_off_on=timezone.localdate(last_sign_off.signed_at) if last_sign_off else None,
    )
