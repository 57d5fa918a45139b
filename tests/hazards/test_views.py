"""Hazard log pages, as Priya (CSO), Tom (reviewer), Alex (viewer) and Charlie (outsider)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinsafe.audit.models import AuditEvent, EventType
from clinsafe.hazards import services
from clinsafe.hazards.models import Hazard, RiskEstimate
from clinsafe.hazards.sample import generate_hazards
from tests.conftest import assessed_hazard, logged_in, raise_hazard

pytestmark = pytest.mark.django_db


def log_url(product, query=""):
    return f"/products/{product.slug}/{query}"


def hazard_url(hazard, action=""):
    return f"/products/{hazard.product.slug}/hazards/{hazard.reference}/{action}"


class TestHazardLog:
    def test_it_lists_hazards_with_ratings_as_number_and_word(self, hazard, alex):
        page = logged_in(alex).get(log_url(hazard.product))
        assert page.status_code == 200
        html = page.content.decode()
        assert "H-001" in html and "Dose shown in the wrong unit" in html
        assert ">3 Undesirable</strong>" in html and ">2 Acceptable</strong>" in html

    def test_it_filters_by_status_rating_owner_and_text(self, product, tom, priya):
        assessed_hazard(product, tom, title="Wrong patient", owner=priya)
        raise_hazard(product, tom, title="Allergy alert missing")
        client = logged_in(tom)

        def titles(query):
            page = client.get(log_url(product, query))
            return [h.title for h in page.context["page"]]

        assert titles("?residual_rating=2") == ["Wrong patient"]
        assert titles("?owner=priya") == ["Wrong patient"]
        assert titles("?q=allergy") == ["Allergy alert missing"]
        assert titles("?q=H-2") == ["Allergy alert missing"]
        assert titles("?status=closed") == []
        assert titles("?residual_severity=4&residual_likelihood=1") == ["Wrong patient"]
        assert titles("?residual_assessed=false") == ["Allergy alert missing"]
        assert titles("?initial_assessed=true") == ["Wrong patient"]

    def test_it_sorts_by_residual_rating(self, product, tom):
        raise_hazard(product, tom, title="Unassessed")
        assessed_hazard(product, tom, title="Assessed")
        page = logged_in(tom).get(log_url(product, "?sort=-residual_rating"))
        ratings = [h.residual_rating for h in page.context["page"]]
        assert ratings in ([2, None], [None, 2])  # databases order NULLs differently
        assert 'aria-sort="descending"' in page.content.decode()

    def test_withdrawn_hazards_are_hidden_unless_asked_for(self, hazard, tom):
        services.withdraw_hazard(actor=tom, hazard=hazard, version=hazard.version, reason="Dup")
        client = logged_in(tom)
        assert list(client.get(log_url(hazard.product)).context["page"]) == []
        assert [
            h.pk for h in client.get(log_url(hazard.product, "?withdrawn=true")).context["page"]
        ] == [hazard.pk]

    def test_it_is_paginated(self, product, tom):
        generate_hazards(product, 60, author=tom)
        page = logged_in(tom).get(log_url(product, "?page=2")).context["page"]
        assert (page.number, len(page), page.paginator.count) == (2, 10, 60)

    def test_another_organisation_cannot_see_it(self, hazard, charlie):
        assert logged_in(charlie).get(log_url(hazard.product)).status_code == 404
        assert logged_in(charlie).get(hazard_url(hazard)).status_code == 404

    def test_it_needs_a_login(self, hazard, client):
        response = client.get(log_url(hazard.product))
        assert response.status_code == 302 and response["Location"].startswith("/login/")

    def test_its_query_count_does_not_grow_with_the_log(self, product, tom):
        client = logged_in(tom)

        def queries_for_page():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(log_url(product, "?sort=title")).status_code == 200
            return len(queries)

        generate_hazards(product, 10, author=tom)
        at_10 = queries_for_page()
        generate_hazards(product, 490, author=tom)
        assert queries_for_page() == at_10 == 10

    def test_a_reviewer_chooses_columns_and_density_and_they_are_kept(self, hazard, tom):
        client = logged_in(tom)
        default = client.get(log_url(hazard.product)).content.decode()
        assert ">Residual risk<" in default and ">Causes<" not in default.split("<table")[1]
        chosen = client.get(log_url(
            hazard.product, "?view=1&columns=residual_severity&columns=causes&density=compact"
        )).content.decode()  # fmt: skip
        table = chosen.split("<table")[1]
        assert "clinsafe-compact" in table
        assert ">Residual severity<" in table and ">Causes<" in table
        assert ">Residual risk<" not in table and ">Owner<" not in table
        assert f">{hazard.causes[0]}</li>" in table
        kept = client.get(log_url(hazard.product)).content.decode().split("<table")[1]
        assert "clinsafe-compact" in kept and ">Causes<" in kept  # as last chosen


class TestHazardPage:
    def test_it_shows_estimates_on_the_matrix_controls_and_history(self, hazard, sam, tom):
        services.add_control(
            actor=sam,
            product=hazard.product,
            hazards=[hazard],
            description="One formatter",
            kind="design",
        )
        html = logged_in(tom).get(hazard_url(hazard)).content.decode()
        assert 'class="clinsafe-mark">Initial</span>' in html
        assert 'class="clinsafe-mark">Residual</span>' in html
        assert "C-001" in html and "One formatter" in html
        assert "Risk assessed</strong> by Tom Okafor" in html

    def test_user_text_is_escaped(self, product, tom):
        hazard = raise_hazard(product, tom, title="<script>alert(1)</script>", causes=["<b>x</b>"])
        html = logged_in(tom).get(hazard_url(hazard)).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html

    def test_a_viewer_sees_no_edit_buttons(self, hazard, alex):
        html = logged_in(alex).get(hazard_url(hazard)).content.decode()
        assert "Edit hazard" not in html and "Assess initial risk" not in html


class TestHazardForms:
    def test_tom_raises_a_hazard(self, product, tom):
        response = logged_in(tom).post(
            f"/products/{product.slug}/hazards/new/",
            {
                "title": "Wrong patient",
                "description": "Saved to the wrong record.",
                "causes": "Two tabs open\n\nBanner stale",
                "effects": "",
                "owner": tom.pk,
            },
        )
        hazard = Hazard.objects.get()
        assert response.status_code == 302 and response["Location"] == hazard_url(hazard)
        assert hazard.causes == ["Two tabs open", "Banner stale"] and hazard.owner == tom

    def test_a_missing_description_is_shown_on_its_field(self, product, tom):
        response = logged_in(tom).post(f"/products/{product.slug}/hazards/new/", {"title": "x"})
        assert response.status_code == 200
        assert response.context["form"].errors == {"description": ["This field is required."]}
        html = response.content.decode()
        assert 'href="#id_description">Description: This field is required.</a>' in html
        assert not Hazard.objects.exists()

    def test_a_stale_edit_is_refused_with_a_clear_message(self, hazard, tom, priya):
        services.edit_hazard(actor=priya, hazard=hazard, version=hazard.version, title="Changed")
        response = logged_in(tom).post(
            hazard_url(hazard, "edit/"),
            {"title": "Mine", "description": "d", "version": hazard.version},
        )
        assert response.status_code == 200
        assert "changed by someone else since you loaded it" in response.content.decode()
        hazard.refresh_from_db()
        assert hazard.title == "Changed"

    def test_a_residual_assessment_breaking_a_rule_names_the_rule(self, hazard, tom):
        response = logged_in(tom).post(
            hazard_url(hazard, "assess/residual/"), {"severity": 3, "likelihood": 1}
        )
        assert response.status_code == 200
        assert (
            response.context["form"]
            .errors["rationale"][0]
            .startswith("Residual severity (Considerable) is below the initial severity (Major)")
        )
        assert RiskEstimate.objects.filter(hazard=hazard).count() == 2

    def test_priya_reassesses_residual_risk(self, hazard, priya):
        response = logged_in(priya).post(
            hazard_url(hazard, "assess/residual/"), {"severity": 4, "likelihood": 2}
        )
        assert response.status_code == 302
        assert Hazard.objects.with_current_risk().get(pk=hazard.pk).residual_rating == 3

    def test_an_engineer_gets_a_clear_refusal_page(self, hazard, sam):
        response = logged_in(sam).get(hazard_url(hazard, "assess/initial/"))
        assert response.status_code == 403
        assert "You may not assess risk in Northwind Health" in response.content.decode()

    def test_closing_without_a_reason_is_refused_on_the_reason_field(self, hazard, priya):
        response = logged_in(priya).post(
            hazard_url(hazard, "status/"), {"status": "closed", "version": hazard.version}
        )
        assert response.context["form"].errors == {"reason": ["Say why the hazard is closed."]}

    def test_tom_adds_a_control_then_sam_verifies_it(self, hazard, tom, sam):
        logged_in(tom).post(
            hazard_url(hazard, "controls/new/"),
            {
                "description": "One formatter",
                "kind": "design",
                "origin": "additional",
                "status": "implemented",
            },
        )
        control = hazard.controls.get()
        response = logged_in(sam).post(
            f"/products/{hazard.product.slug}/controls/C-001/edit/",
            {
                "description": "One formatter",
                "kind": "design",
                "origin": "additional",
                "status": "verified",
                "verification_evidence": "UT-114",
                "version": 1,
            },
        )
        assert response.status_code == 302
        control.refresh_from_db()
        assert (control.status, control.verification_evidence) == ("verified", "UT-114")
        assert AuditEvent.objects.filter(event_type=EventType.CONTROL_EDITED).count() == 1


class TestRiskMatrix:
    def test_each_cell_counts_the_hazards_and_links_to_them(self, product, tom):
        assessed_hazard(product, tom)
        assessed_hazard(product, tom)
        raise_hazard(product, tom)
        page = logged_in(tom).get(f"/products/{product.slug}/matrix/?stage=residual")
        cells = {(c.severity, c.likelihood): c for _l, row in page.context["grid"] for c in row}
        assert cells[(4, 1)].count == 2 and cells[(4, 1)].rating == 2
        assert sum(c.count for c in cells.values()) == 2
        assert page.context["not_assessed"] == 1
        assert f'href="/products/{product.slug}/?residual_assessed=false"' in page.content.decode()
        html = page.content.decode()
        assert (
            f'href="/products/{product.slug}/?residual_severity=4&amp;residual_likelihood=1"'
            in html
        )


class TestUnlinkControl:
    def test_tom_unlinks_a_control_and_a_repeat_is_explained(self, hazard, tom, sam):
        services.add_control(
            actor=sam, product=hazard.product, hazards=[hazard], description="Banner", kind="design"
        )
        client = logged_in(tom)
        url = hazard_url(hazard, "controls/C-001/unlink/")
        assert client.post(url).status_code == 302
        assert not hazard.controls.exists()
        page = client.post(url, follow=True)
        assert "C-001 is not linked to H-001." in page.content.decode()

    def test_a_viewer_may_not_unlink(self, hazard, alex, sam):
        services.add_control(
            actor=sam, product=hazard.product, hazards=[hazard], description="Banner", kind="design"
        )
        response = logged_in(alex).post(hazard_url(hazard, "controls/C-001/unlink/"))
        assert response.status_code == 403
        assert hazard.controls.count() == 1
