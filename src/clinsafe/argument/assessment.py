"""The argument checked against the records: the facts `clinsafe.argument.checks` needs, read
from the hazard log, the controls and the evidence artefacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from clinsafe.argument.checks import ArtefactFacts, Facts, HazardFacts, Report, check
from clinsafe.argument.graph import Argument
from clinsafe.argument.models import ArgumentSnapshot, ArtefactVersion
from clinsafe.argument.services import argument_of
from clinsafe.core.formats import person_name
from clinsafe.gate.decision import acceptance_gap
from clinsafe.gate.evaluation import HazardLog, hazard_facts, hazard_log
from clinsafe.hazards.models import Control, HazardStatus
from clinsafe.incidents.models import IncidentHazard
from clinsafe.products.models import Product, Release


@dataclass(frozen=True)
class Checked:
    argument: Argument
    report: Report
    release: Release | None  # the release it was checked for
    revision: int  # of the working argument, or the one put forward
    snapshot: ArgumentSnapshot | None = None


def check_working(product: Product) -> Checked:
    """The product's argument as it stands, checked for its newest open release (if any), so
    evidence of an earlier release shows as stale as soon as a new release is planned."""
    record = argument_of(product)
    release = (
        Release.objects.filter(product=product)
        .exclude(stage__in=["released", "withdrawn"])
        .order_by("-created_at", "-id")
        .first()
    )
    graph = record.graph
    return Checked(graph, check(graph, facts(product, release)), release, record.revision)


def check_release(release: Release, log: HazardLog | None = None) -> Checked | None:
    """The argument put forward for ``release``, checked as a release's must be: nothing left
    needing support. None if none was put forward."""
    snapshot = ArgumentSnapshot.objects.filter(release=release).first()
    if snapshot is None:
        return None
    graph = snapshot.graph
    report = check(graph, facts(release.product, release, log, for_release=True))
    return Checked(graph, report, release, snapshot.argument_revision, snapshot)


def facts(
    product: Product,
    release: Release | None,
    log: HazardLog | None = None,
    *,
    for_release: bool = False,
) -> Facts:
    log = log or hazard_log(product)
    policy = log.policy
    incidents: dict[int, list[datetime]] = {}
    for hazard_id, linked_at in IncidentHazard.objects.filter(hazard__product=product).values_list(
        "hazard_id", "linked_at"
    ):
        incidents.setdefault(hazard_id, []).append(linked_at)
    hazards = {
        f.reference: HazardFacts(
            reference=f.reference,
            title=f.title,
            closed=log.snapshots[pk]["status"] == HazardStatus.CLOSED,
            residual_rating=f.residual_rating,
            acceptance_gap=acceptance_gap(f, policy),
            incidents=tuple(incidents.get(pk, ())),
        )
        for pk, f in hazard_facts(log).items()
    }
    return Facts(
        hazards=hazards,
        artefacts=artefact_facts(product),
        controls={
            c.reference: c.status
            for c in Control.objects.filter(product=product, withdrawn_at__isnull=True)
        },
        release=release.version if release else "",
        for_release=for_release,
    )


def artefact_facts(product: Product) -> dict[str, ArtefactFacts]:
    versions = (
        ArtefactVersion.objects.filter(artefact__product=product)
        .select_related("artefact", "release", "produced_by", "reviewed_by")
        .annotate(newest=Max("artefact__versions__created_at"))
    )
    today = timezone.localdate()
    return {
        v.reference: ArtefactFacts(
            title=v.artefact.title + (f" ({v.label})" if v.label else ""),
            release=v.release.version if v.release else "",
            produced_by=person_name(v.produced_by),
            reviewed_by=person_name(v.reviewed_by) if v.reviewed_by else "",
            reviewed_at=v.reviewed_at,
            changed_after_review=v.reviewed_at is not None
            and (v.reviewed_sha256 != v.sha256 or v.newest > v.reviewed_at),  # type: ignore[attr-defined]
            expired=v.valid_until is not None and v.valid_until < today,
        )
        for v in versions
    }
