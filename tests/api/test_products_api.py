"""Products through the REST API."""

import pytest

from clinsafe.audit.models import AuditEvent, EventType
from clinsafe.products.models import Product
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_priya_registers_a_product_in_her_organisation(northwind, priya):
    response = api_as(priya).post(
        "/api/products/",
        {
            "organisation": "northwind",
            "name": "MedsFlow",
            "slug": "medsflow",
            "lifecycle_status": "in_development",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Product.objects.get().organisation == northwind
    assert AuditEvent.objects.get().event_type == EventType.PRODUCT_CREATED


def test_a_reviewer_may_not_register_a_product(northwind, tom):
    response = api_as(tom).post(
        "/api/products/", {"organisation": "northwind", "name": "X", "slug": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_products_are_looked_up_by_slug_and_edited_with_their_version(product, priya):
    client = api_as(priya)
    assert client.get("/api/products/medsflow/").json()["name"] == "MedsFlow"
    response = client.patch(
        "/api/products/medsflow/", {"lifecycle_status": "live", "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.patch("/api/products/medsflow/", {"name": "Y", "version": 1}, format="json")
    assert stale.status_code == 409


def test_other_organisations_products_are_invisible(other_product, priya):
    assert api_as(priya).get("/api/products/").json()["count"] == 0
    assert api_as(priya).get("/api/products/local-pas/").status_code == 404
