"""Named people with different rights, used across the suite.

Priya is the CSO, Tom a clinical reviewer, Sam an engineer, Helen the accountable
executive and Alex a viewer, all at Northwind; Charlie is the CSO of another organisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from clinsafe.core import services as people
from clinsafe.core.models import Membership, Organisation, OrganisationKind, Role
from clinsafe.demo.story import load_demo
from clinsafe.hazards import services
from clinsafe.hazards.models import Hazard, Stage
from clinsafe.products.models import Product
from clinsafe.products.releases import create_release
from clinsafe.risk import Likelihood, Severity

PASSWORD = "correct horse battery staple"


# The real hasher is deliberately slow; hundreds of test users need not be.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def demo_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for a module: each test runs in a savepoint inside the
    module's transaction, which is rolled back at the end, so no test sees another's
    changes and later modules start from an empty database."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        load_demo()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def make_person(username: str, organisation: Organisation, role: str, name: str) -> Any:
    first, last = name.split(" ", 1)
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last
    )
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def northwind(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="Northwind Health", slug="northwind", kind=OrganisationKind.MANUFACTURER
    )


@pytest.fixture
def elsewhere(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="Elsewhere Trust", slug="elsewhere", kind=OrganisationKind.HEALTH_ORGANISATION
    )


@pytest.fixture
def priya(northwind: Organisation) -> Any:
    return make_person("priya", northwind, Role.CSO, "Priya Shah")


@pytest.fixture
def tom(northwind: Organisation) -> Any:
    return make_person("tom", northwind, Role.REVIEWER, "Tom Okafor")


@pytest.fixture
def sam(northwind: Organisation) -> Any:
    return make_person("sam", northwind, Role.ENGINEER, "Sam Lee")


@pytest.fixture
def helen(northwind: Organisation) -> Any:
    return make_person("helen", northwind, Role.EXECUTIVE, "Helen Ward")


@pytest.fixture
def alex(northwind: Organisation) -> Any:
    return make_person("alex", northwind, Role.VIEWER, "Alex Morgan")


@pytest.fixture
def charlie(elsewhere: Organisation) -> Any:
    return make_person("charlie", elsewhere, Role.CSO, "Charlie Brown")


@pytest.fixture
def product(northwind: Organisation) -> Product:
    return Product.objects.create(organisation=northwind, name="MedsFlow", slug="medsflow")


@pytest.fixture
def other_product(elsewhere: Organisation) -> Product:
    return Product.objects.create(organisation=elsewhere, name="Local PAS", slug="local-pas")


def make_real_cso(
    user: Any, product: Any, admin: Any, can_block: bool = True, role: str = "cso"
) -> Any:
    """Appoint ``user`` CSO of ``product`` for the past year: registered, trained, with
    protected time and (unless ``can_block`` is false) authority to block."""
    today = timezone.localdate()
    people.record_registration(
        actor=user, user=user, regulator="GMC", number="7654321", profession="Doctor",
        last_confirmed_on=today - timedelta(days=30),
    )  # fmt: skip
    people.record_training(
        actor=user, user=user, course="DCB0129/0160 CSO training", completed_on=date(2026, 1, 5)
    )
    return people.appoint_cso(
        actor=admin,
        organisation=product.organisation,
        user=user,
        product=product,
        starts_on=today - timedelta(days=365),
        protected_hours_per_week=Decimal(12),
        can_block_release=can_block,
        role=role,
    )


@pytest.fixture
def morgan(northwind: Any) -> Any:
    return make_person("morgan", northwind, Role.ADMIN, "Morgan Reid")


@pytest.fixture
def cso(priya: Any, product: Any, morgan: Any) -> Any:
    """Priya, appointed CSO of the product with blocking authority."""
    make_real_cso(priya, product, morgan)
    return priya


@pytest.fixture
def release(product: Any, sam: Any) -> Any:
    return create_release(actor=sam, product=product, version="2.4.0", summary="Dose checks")


def raise_hazard(product: Product, actor: Any, **fields: Any) -> Hazard:
    defaults = {
        "title": "Dose shown in the wrong unit",
        "description": "Micrograms shown as milligrams.",
        "causes": ["Unit conversion bug"],
        "effects": ["Overdose"],
        "harm": "Death of one patient.",
    }
    return services.create_hazard(actor=actor, product=product, **{**defaults, **fields})


def assessed_hazard(product: Product, actor: Any, **fields: Any) -> Hazard:
    """A hazard with initial risk Major/Medium (3) and residual Major/Very low (2)."""
    hazard = raise_hazard(product, actor, **fields)
    services.assess_risk(
        actor=actor,
        hazard=hazard,
        stage=Stage.INITIAL,
        severity=Severity.MAJOR,
        likelihood=Likelihood.MEDIUM,
    )
    services.assess_risk(
        actor=actor,
        hazard=hazard,
        stage=Stage.RESIDUAL,
        severity=Severity.MAJOR,
        likelihood=Likelihood.VERY_LOW,
    )
    hazard.refresh_from_db()
    return hazard


@pytest.fixture
def hazard(product: Product, tom: Any) -> Hazard:
    return assessed_hazard(product, tom)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def argue_for(release: Any, cso: Any, reviewer: Any) -> Any:
    """Make the release's safety case: argue over every hazard of its product down to
    evidence for ``release`` (a test report recorded by the CSO and reviewed by
    ``reviewer``), put it forward, and sign a DCB0129 compliance assessment."""
    from clinsafe.argument import services as argument
    from clinsafe.argument.graph import Declaration, Kind, Link

    product = release.product
    argument.argue_over_all_hazards(actor=cso, product=product)
    report = argument.record_artefact(
        actor=cso, product=product, title=f"System test report {release.version}",
        kind="test_report",
    )  # fmt: skip
    version = argument.add_artefact_version(
        actor=cso, artefact=report, release=release, content=b"all tests passed"
    )
    argument.review_artefact_version(actor=reviewer, version=version)
    record = argument.argument_of(product)
    for claim in record.graph.of_kind(Kind.CLAIM):
        if claim.declaration != Declaration.UNDEVELOPED:
            continue
        record.refresh_from_db()
        evidence = argument.add_node(
            actor=cso, product=product, revision=record.revision, kind=Kind.EVIDENCE,
            text="System test report", artefact=version.reference, parent=claim.id,
            link=Link.SUPPORTED_BY,
        )  # fmt: skip
        assert evidence.id
    snapshot = argument.put_forward(actor=cso, release=release)
    assess_compliance_for(release, cso)
    return snapshot


def compliance_answers(status: str = "compliant") -> dict[str, dict[str, str]]:
    from clinsafe.reports.dcb0129 import REQUIREMENTS

    return {r.clause: {"status": status, "evidence": f"{r.evidence.value}"} for r in REQUIREMENTS}


def assess_compliance_for(release: Any, cso: Any) -> Any:
    """Answer every DCB0129 requirement as compliant for ``release`` and sign it as ``cso``."""
    from clinsafe.reports import services

    services.assess_compliance(actor=cso, release=release, answers=compliance_answers())
    return services.sign_compliance(actor=cso, release=release, password=PASSWORD)
