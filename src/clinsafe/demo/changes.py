"""Demo changes to the e-prescribing product: one the CSO assessed before it was built, one
a tracker proposed through the API and the CSO triaged, and one waiting, holding its
release pending. Loaded through the same services as real work."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from clinsafe.demo.history import days_ago
from clinsafe.hazards.models import Hazard
from clinsafe.products import changes, releases
from clinsafe.products.models import ChangeKind, ChangeSource, Product, Release

TRACKER = "https://tracker.medsflow.example/browse"


def change_in_2_4_0(release: Release, people: dict[str, User]) -> None:
    """The rule-set check of 2.4.0, assessed early: before it was built."""
    product = release.product
    with days_ago(40):
        change = changes.propose_change(
            actor=people["engineer"], product=product, kind=ChangeKind.RELEASE, release=release,
            title="Check the decision-support rule-set version at start-up",
            description="Refuse to start dose-range checking when the rule set is older than "
            "the dictionary.", link=f"{TRACKER}/MF-2231",
            components=["medsflow-web", "rules-loader"],
            built_on=timezone.localdate() + timedelta(days=15),
        )  # fmt: skip
    with days_ago(38):
        changes.assess_change(
            actor=people["cso"], change=change, version=change.version,
            hazards=[_hazard(product, 14)], new_hazards=False, alters_clinical_risk=True,
            conclusion="Lowers the likelihood of H-014; H-014's residual risk is re-assessed "
            "and the change is tested in ST-24-017 before 2.4.0 is signed off.",
        )  # fmt: skip


def changes_through_the_api(product: Product, people: dict[str, User]) -> None:
    """The tracker proposes two changes: the CSO triages one; the other, for 2.4.2, waits."""
    engineer = people["engineer"]
    with days_ago(8):
        pump = releases.create_release(
            actor=engineer, product=product, version="2.4.2",
            summary="Infusion pump drug library feed.",
        )  # fmt: skip
    with days_ago(6):
        threshold = changes.propose_change(
            actor=engineer, product=product, kind=ChangeKind.CONFIGURATION,
            source=ChangeSource.API, title="Lower the paracetamol daily-dose alert for adults "
            "under 50 kg", link=f"{TRACKER}/MF-2302", components=["dose-range rules"],
        )  # fmt: skip
    with days_ago(5):
        changes.assess_change(
            actor=people["cso"], change=threshold, version=threshold.version,
            hazards=[_hazard(product, 7)], new_hazards=False, alters_clinical_risk=False,
            conclusion="Makes an existing control of H-007 stricter; no new risk. Pharmacy "
            "to confirm the threshold before it is switched on.",
        )  # fmt: skip
    with days_ago(1):
        changes.propose_change(
            actor=engineer, product=product, kind=ChangeKind.INTEGRATION, release=pump,
            source=ChangeSource.API, title="Send the drug library to infusion pumps",
            description="Pumps receive the trust's drug library from MedsFlow nightly.",
            link=f"{TRACKER}/MF-2317", components=["pump-gateway", "medsflow-web"],
            built_on=timezone.localdate(),
        )  # fmt: skip


def _hazard(product: Product, number: int) -> Hazard:
    return Hazard.objects.get(product=product, number=number)
