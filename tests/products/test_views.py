"""Registering and describing products in the browser."""

import pytest

from clinsafe.products.models import Product
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_priya_registers_a_product_and_lands_on_its_hazard_log(northwind, priya):
    client = logged_in(priya)
    assert "Register a product" in client.get("/products/").content.decode()
    response = client.post(
        "/products/new/",
        {
            "organisation": northwind.pk,
            "name": "MedsFlow",
            "slug": "medsflow",
            "lifecycle_status": "in_development",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/products/medsflow/"
    assert Product.objects.get().organisation == northwind


def test_a_reserved_or_taken_slug_is_named(product, priya, northwind):
    client = logged_in(priya)
    data = {"organisation": northwind.pk, "name": "X", "lifecycle_status": "live"}
    reserved = client.post("/products/new/", {**data, "slug": "new"})
    assert reserved.context["form"].errors == {
        "slug": ["The slug 'new' is reserved; choose another."]
    }
    taken = client.post("/products/new/", {**data, "slug": "medsflow"})
    assert taken.context["form"].errors == {
        "slug": ["Product with this Web address name already exists."]
    }
    assert Product.objects.count() == 1


def test_a_reviewer_is_not_offered_and_not_allowed_registration(northwind, tom):
    client = logged_in(tom)
    assert "Register a product" not in client.get("/products/").content.decode()
    response = client.get("/products/new/")
    assert response.status_code == 403
    assert "You may not register a product" in response.content.decode()


def test_priya_edits_the_description_with_its_version(product, priya):
    response = logged_in(priya).post(
        "/products/medsflow/edit/",
        {
            "name": "MedsFlow ePMA",
            "intended_use": "Inpatient prescribing",
            "lifecycle_status": "live",
            "version": 1,
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.lifecycle_status, product.version) == ("MedsFlow ePMA", "live", 2)


def test_another_organisation_cannot_edit_it(product, charlie):
    assert logged_in(charlie).get("/products/medsflow/edit/").status_code == 404
