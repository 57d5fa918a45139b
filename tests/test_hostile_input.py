"""Hostile input through the forms and the API writes: each value is refused with an error
naming the field, or stored as typed and shown escaped; never a server error."""

import json

import pytest

from clinsafe.hazards.models import Control, Hazard
from clinsafe.products.models import Release
from tests.conftest import api_as, logged_in

pytestmark = pytest.mark.django_db

CORPUS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE hazards_hazard;--",
    "1 OR 1=1",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(A1:A9)",
    "@cmd|' /C calc'!A0",
    "x" * 5000,
    "null\x00byte",
    "bell\x07 and escape\x1b[31m",
    "right-to-left \u202eevil\u202c override",
    "zero\u200bwidth",
    "e\u0301\u0301\u0301 combining",
    "emoji 💊🩺 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "lone surrogate \ud800",
    "   ",
]


def post_json(client, url, data):
    # Sent as a real client would: ASCII-escaped JSON, so even a lone surrogate arrives.
    return client.post(url, json.dumps(data), content_type="application/json")


def _shown_safely(page: str, value: str) -> None:
    assert "<script>alert('x')</script>" not in page
    assert "<img src=x onerror" not in page


@pytest.mark.parametrize("value", CORPUS, ids=range(len(CORPUS)))
def test_api_hazard_writes_refuse_or_store_hostile_text(tom, product, value):
    response = post_json(
        api_as(tom),
        "/api/hazards/",
        {"product": product.slug, "title": value[:300], "description": value, "causes": [value]},
    )
    assert response.status_code in (201, 400), response.status_code
    if response.status_code == 400:
        assert set(response.data) <= {"title", "description", "causes", "detail"}, response.data
        assert not Hazard.objects.exists()
        return
    hazard = Hazard.objects.get()
    assert hazard.description == value.strip()
    page = logged_in(tom).get(f"/products/medsflow/hazards/{hazard.reference}/").content.decode()
    _shown_safely(page, value)


# A browser cannot send a lone surrogate in a form: it is not encodable as UTF-8.
FORM_CORPUS = [value for value in CORPUS if "\ud800" not in value]


@pytest.mark.parametrize("value", FORM_CORPUS, ids=range(len(FORM_CORPUS)))
def test_the_hazard_form_refuses_or_stores_hostile_text(tom, product, value):
    response = logged_in(tom).post(
        "/products/medsflow/hazards/new/",
        {"title": value[:200], "description": value, "causes": value},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "nhsuk-error-summary" in response.content.decode()
        assert not Hazard.objects.exists()
        return
    hazard = Hazard.objects.get()
    page = logged_in(tom).get(response["Location"]).content.decode()
    _shown_safely(page, value)
    assert hazard.title == value[:200].strip()


@pytest.mark.parametrize("value", CORPUS, ids=range(len(CORPUS)))
def test_api_release_and_control_writes_refuse_or_store_hostile_text(sam, product, value):
    client = api_as(sam)
    release = post_json(
        client,
        "/api/products/medsflow/releases/",
        {"version": "1.0", "summary": value, "components": {"web": value}},
    )
    assert release.status_code in (201, 400)
    if release.status_code == 201:
        assert Release.objects.get().summary == value.strip()
        _shown_safely(
            logged_in(sam).get("/products/medsflow/releases/1.0/").content.decode(), value
        )
    control = post_json(
        client, "/api/controls/", {"product": product.slug, "description": value, "kind": "design"}
    )
    assert control.status_code in (201, 400)
    if control.status_code == 400:
        assert not Control.objects.exists()


def test_a_lone_surrogate_is_refused_naming_the_rule(tom, product):
    response = api_as(tom).post(
        "/api/hazards/",
        b'{"product": "medsflow", "title": "x\\ud800", "description": "d"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "lone surrogates" in response.data["detail"]
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("value", CORPUS, ids=range(len(CORPUS)))
def test_api_product_and_hazard_edits_refuse_or_store_hostile_text(priya, hazard, value):
    client = api_as(priya)
    created = post_json(
        client,
        "/api/products/",
        {"organisation": "northwind", "name": value[:200], "slug": "hostile",
         "intended_use": value},
    )  # fmt: skip
    assert created.status_code in (201, 400)
    edited = client.patch(
        f"/api/hazards/{hazard.pk}/",
        json.dumps({"harm": value, "version": hazard.version}),
        content_type="application/json",
    )
    assert edited.status_code in (200, 400)
    if edited.status_code == 200:
        hazard.refresh_from_db()
        assert hazard.harm == value.strip()
        page = logged_in(priya).get(f"/products/medsflow/hazards/{hazard.reference}/")
        _shown_safely(page.content.decode(), value)


@pytest.mark.parametrize("value", FORM_CORPUS, ids=range(len(FORM_CORPUS)))
def test_the_release_and_control_forms_refuse_or_store_hostile_text(sam, hazard, value):
    client = logged_in(sam)
    release = client.post(
        "/products/medsflow/releases/new/",
        {"version": "1.0", "summary": value, "components": f"web = {value}"},
    )
    assert release.status_code in (200, 302)
    if release.status_code == 302:
        _shown_safely(client.get(release["Location"]).content.decode(), value)
    control = client.post(
        f"/products/medsflow/hazards/{hazard.reference}/controls/new/",
        {"description": value, "kind": "design", "origin": "additional", "status": "proposed"},
    )
    assert control.status_code in (200, 302)
    if control.status_code == 302:
        _shown_safely(client.get(control["Location"]).content.decode(), value)


# --- structure a parser or a field cannot hold ----------------------------------------------


@pytest.mark.parametrize("depth", [100, 900, 5000])
def test_json_nested_deeper_than_any_record_is_refused_naming_the_rule(tom, product, depth):
    body = '{"product": "medsflow", "title": "Deep", "description": ' + "[" * depth + "]" * depth
    response = api_as(tom).post("/api/hazards/", body + "}", content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert "may not be nested more than 100 deep" in response.data["detail"]
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(
    "field",
    [
        {"revision": 10**40},
        {"revision": -1},
        {"hazards": [{"hazard": "H-" + "9" * 40, "change": "adds"}]},
        {"hazards": [{"hazard": "H-" + "0" * 60, "change": "adds"}]},
    ],
)
def test_release_numbers_beyond_what_the_database_holds_are_refused(sam, product, field):
    response = post_json(
        api_as(sam), "/api/products/medsflow/releases/", {"version": "1.0", **field}
    )
    assert response.status_code == 400, response.status_code
    assert set(response.data) == set(field), response.data
    assert not Release.objects.exists()


def test_another_organisations_username_answers_as_one_that_does_not_exist(hazard, tom, charlie):
    def owner_error(username):
        response = api_as(tom).patch(
            f"/api/hazards/{hazard.pk}/",
            {"owner": username, "version": hazard.version},
            format="json",
        )
        assert response.status_code == 400
        return json.dumps(response.json()).replace(username, "<name>")

    assert owner_error(charlie.username) == owner_error("no-such-person")


@pytest.mark.parametrize("method", ["get", "patch"])
def test_a_release_version_no_release_has_is_not_found(sam, product, method):
    # Schemathesis found a KeyError (500) here, with a version of sixty zeros.
    response = getattr(api_as(sam), method)(
        f"/api/products/medsflow/releases/{'0' * 60}/", {"summary": "x"}, format="json"
    )
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "No Release matches the given query."}
