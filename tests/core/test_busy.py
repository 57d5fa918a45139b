"""A write that waited past the database's busy timeout (SQLite) or lock timeout
(PostgreSQL) answers 503 saying to try again, never a 500."""

import pytest
from django.db import OperationalError

from clinsafe.hazards import services
from clinsafe.hazards.models import Hazard
from tests.conftest import api_as, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(monkeypatch):
    def waited_too_long(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "create_hazard", waited_too_long)


def test_the_api_answers_503_with_retry_after(busy, tom, product):
    response = api_as(tom).post("/api/hazards/", {
        "product": "medsflow", "title": "Lost alert", "description": "An alert is lost.",
    }, format="json")  # fmt: skip
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["code"] == "busy"
    assert "try again in a minute" in response.json()["detail"]
    assert not Hazard.objects.exists()


def test_a_page_says_the_change_was_not_saved(busy, tom, product):
    response = logged_in(tom).post("/products/medsflow/hazards/new/", {
        "title": "Lost alert", "description": "An alert is lost.", "causes": "Bug",
        "effects": "Missed dose", "harm": "Harm",
    })  # fmt: skip
    assert response.status_code == 503
    assert "your change was not saved" in response.text
    assert response["Retry-After"] == "30"


def test_other_database_errors_are_not_called_busy(monkeypatch, tom, product):
    def broken(**kwargs):
        raise OperationalError("no such table: hazards_hazard")

    monkeypatch.setattr(services, "create_hazard", broken)
    with pytest.raises(OperationalError):
        api_as(tom).post("/api/hazards/", {"product": "medsflow", "title": "x",
                                           "description": "y"}, format="json")  # fmt: skip
