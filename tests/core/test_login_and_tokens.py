"""Logging in, throttling guessed passwords, and personal API tokens."""

import pytest
from django.test import Client

from clinsafe.core.models import ApiToken
from tests.conftest import PASSWORD, api_as, logged_in

pytestmark = pytest.mark.django_db


def log_in(client, password):
    return client.post("/login/", {"username": "priya", "password": password})


def test_priya_logs_in_and_lands_on_her_products(priya):
    response = log_in(Client(), PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/products/"


def test_five_failed_logins_lock_the_username_even_for_the_right_password(priya):
    client = Client()
    for _ in range(5):
        failed = log_in(client, "wrong")
        assert "Please enter a correct username and password" in failed.content.decode()
    locked = log_in(client, PASSWORD)
    assert locked.status_code == 200
    assert "Too many failed password attempts. Try again after" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_clears_earlier_failures(priya):
    client = Client()
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302


def test_priya_creates_a_token_sees_it_once_and_revokes_it(priya, alex):
    client = logged_in(priya)
    page = client.post("/account/tokens/", {"name": "CI pipeline"})
    key = page.context["new_key"]
    assert key and key in page.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash != key and token.prefix == key[:8]
    assert key not in client.get("/account/").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/products/").status_code == 200
    assert logged_in(alex).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/products/").status_code == 401


def test_tokens_through_the_api(priya, alex):
    client = api_as(priya)
    created = client.post("/api/tokens/", {"name": "Script"})
    assert created.status_code == 201 and len(created.json()["key"]) > 30
    listed = client.get("/api/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["Script"] and listed[0]["key"] is None
    token_id = created.json()["id"]
    assert api_as(alex).post(f"/api/tokens/{token_id}/revoke/").status_code == 404
    assert client.post(f"/api/tokens/{token_id}/revoke/").json()["revoked_at"]
