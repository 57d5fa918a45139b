"""The "what needs me" page: each person's own work in a product, by their role."""

import pytest

from clinsafe.gate import services as gate
from clinsafe.health.worklist import worklist
from tests.conftest import PASSWORD, logged_in
from tests.gate.conftest import assessed

pytestmark = pytest.mark.django_db


def references(items):
    return [i.reference for i in items]


def test_the_cso_sees_the_hazards_waiting_for_her_review_until_she_reviews_them(cso, tom, product):
    hazard = assessed(product, tom, initial=(3, 3), residual=(2, 2))
    assert references(worklist(cso, product).reviews) == [hazard.reference]
    gate.review_hazard(actor=cso, hazard=hazard)
    assert worklist(cso, product).reviews == []


def test_a_residual_risk_waits_for_the_csos_acceptance_and_leaves_once_given(cso, tom, product):
    hazard = assessed(product, tom, initial=(4, 3), residual=(4, 2))  # rating 3: the CSO's
    waiting = worklist(cso, product).acceptances
    assert references(waiting) == [hazard.reference]
    assert waiting[0].why == "Residual rating 3 needs the CSO's current acceptance."
    gate.accept_risk(actor=cso, hazard=hazard, password=PASSWORD, rationale="ALARP.")
    assert worklist(cso, product).acceptances == []


def test_an_engineer_sees_only_the_open_hazards_they_own(cso, tom, sam, product):
    mine = assessed(product, tom, initial=(2, 2), residual=(2, 1), owner=sam)
    assessed(product, tom, initial=(2, 2), residual=(2, 1), owner=tom)
    work = worklist(sam, product)
    assert references(work.owned) == [mine.reference]
    assert work.reviews == work.acceptances == work.triage == work.assessments == []


def test_the_page_shows_a_person_only_the_lists_their_role_acts_on(cso, sam, tom, product):
    assessed(product, tom, initial=(2, 2), residual=(2, 1), owner=sam)
    sams = logged_in(sam).get(f"/products/{product.slug}/needs-me/").text
    assert "Open hazards you own (1)" in sams and "waiting for your review" not in sams
    priyas = logged_in(cso).get(f"/products/{product.slug}/needs-me/").text
    assert "Hazards waiting for your review (1)" in priyas
