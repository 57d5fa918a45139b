"""What needs the signed-in person in a product now: hazards waiting for their review or
acceptance, incidents to triage, changes to assess, their overdue actions and the open
hazards they own. Each list is there only for someone whose role can act on it, so the
page is the person's own work, not the whole log."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from clinsafe.core.formats import long_date
from clinsafe.core.permissions import Action, Actor, allowed_actions
from clinsafe.gate.evaluation import hazard_facts, hazard_log
from clinsafe.hazards.models import Hazard, HazardStatus
from clinsafe.incidents.models import Incident, IncidentStatus
from clinsafe.incidents.services import overdue_actions
from clinsafe.products.models import Change, Product
from clinsafe.risk.acceptance import AcceptanceLevel


@dataclass(frozen=True)
class Item:
    reference: str
    title: str
    why: str
    url: str


@dataclass(frozen=True)
class Worklist:
    reviews: list[Item] = field(default_factory=list)
    acceptances: list[Item] = field(default_factory=list)
    triage: list[Item] = field(default_factory=list)
    assessments: list[Item] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    owned: list[Item] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(items) for items in self.lists)

    @property
    def lists(self) -> tuple[list[Item], ...]:
        return (self.reviews, self.acceptances, self.triage, self.assessments, self.overdue,
                self.owned)  # fmt: skip


def worklist(user: Actor, product: Product) -> Worklist:
    may = allowed_actions(user, product.organisation)
    slug = product.slug
    reviews: list[Item] = []
    acceptances: list[Item] = []
    if may & {Action.REVIEW_HAZARD.name, Action.ACCEPT_RISK_AS_CSO.name,
              Action.ACCEPT_RISK_AS_EXECUTIVE.name}:  # fmt: skip
        log = hazard_log(product)
        open_ = {pk: s for pk, s in log.snapshots.items() if s["status"] != HazardStatus.CLOSED}
        for facts in hazard_facts(log, snapshots=open_).values():
            number = int(facts.reference[2:])
            if Action.REVIEW_HAZARD.name in may and not facts.reviewed:
                waiting = facts.incidents_awaiting_reassessment
                why = (f"Incidents {', '.join(waiting)} await its re-assessment." if waiting
                       else "No CSO review covers it as it stands.")  # fmt: skip
                reviews.append(Item(facts.reference, facts.title, why,
                                    reverse("hazard-review", args=[slug, number])))  # fmt: skip
            level = (log.policy.level(facts.residual_rating) if facts.residual_rating
                     else None)  # fmt: skip
            as_cso = level == AcceptanceLevel.CSO and not facts.accepted_by_cso
            as_executive = level == AcceptanceLevel.EXECUTIVE and not facts.accepted_by_executive
            if (as_cso and Action.ACCEPT_RISK_AS_CSO.name in may) or (
                as_executive and Action.ACCEPT_RISK_AS_EXECUTIVE.name in may
            ):
                who = "the CSO's" if as_cso else "an accountable executive's"
                acceptances.append(Item(
                    facts.reference, facts.title,
                    f"Residual rating {facts.residual_rating} needs {who} current acceptance.",
                    reverse("hazard-accept", args=[slug, number]),
                ))  # fmt: skip
    triage = [
        Item(i.reference, i.title, f"Reported {long_date(i.reported_on)}.",
             reverse("incident-triage", args=[slug, i.number]))
        for i in Incident.objects.filter(product=product, status=IncidentStatus.REPORTED)
    ] if Action.TRIAGE_INCIDENT.name in may else []  # fmt: skip
    assessments = [
        Item(c.reference, c.title, f"Proposed {long_date(c.proposed_at)}; not yet assessed.",
             reverse("change-assess", args=[slug, c.number]))
        for c in Change.objects.filter(product=product, assessed_at__isnull=True)
    ] if Action.ASSESS_CHANGE.name in may else []  # fmt: skip
    overdue = [
        Item(a.incident.reference, a.description,
             f"Your {a.get_kind_display().lower()} action was due {long_date(a.due_on)}.",
             reverse("incident-detail", args=[slug, a.incident.number]))
        for a in overdue_actions(Product.objects.filter(pk=product.pk)).filter(owner=user.pk)
    ]  # fmt: skip
    owned = [
        Item(h.reference, h.title, f"{h.get_status_display()}; you own it.",
             reverse("hazard-detail", args=[slug, h.number]))
        for h in Hazard.objects.filter(product=product, owner=user.pk, status=HazardStatus.OPEN)
        .in_log().order_by("number")
    ]  # fmt: skip
    return Worklist(reviews, acceptances, triage, assessments, overdue, owned)
