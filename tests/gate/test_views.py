"""Release pages and the gate's forms, used as Priya (CSO), Helen (executive) and Sam
(engineer) would use them."""

import pytest

from clinsafe.core.formats import long_date
from clinsafe.core.models import Notification
from clinsafe.gate import services as gate
from clinsafe.hazards import services as hazards
from clinsafe.products.models import Release
from tests.conftest import PASSWORD, argue_for, logged_in
from tests.gate.conftest import assessed, review_all, sign_off
from tests.gate.test_services import JUSTIFICATION

pytestmark = pytest.mark.django_db

PAGE = "/products/medsflow/releases/2.4.0/"


def test_an_engineer_plans_a_release_with_its_configuration(sam, product):
    response = logged_in(sam).post(
        "/products/medsflow/releases/new/",
        {
            "version": "3.0.0",
            "summary": "New calculator",
            "components": "web = 3.0.0\ndictionary = 2026.11",
            "safety_settings": "dose_alerts = on",
            "build_identifier": "ci-77",
        },
    )
    assert response.status_code == 302
    release = Release.objects.get(version="3.0.0")
    assert release.components == {"web": "3.0.0", "dictionary": "2026.11"}
    assert release.safety_settings == {"dose_alerts": "on"}


def test_the_release_form_names_bad_lines_and_unknown_hazards(sam, product):
    response = logged_in(sam).post(
        "/products/medsflow/releases/new/",
        {"version": "3.0.0", "components": "just a line", "adds": "H-404"},
    )
    assert response.status_code == 200
    assert "Line 1 must read &#x27;name = value&#x27;" in response.text
    assert "This product has no hazard H-404." in response.text
    assert not Release.objects.exists()


def test_the_release_page_lists_every_rule_and_the_hazards_waiting_review(cso, release, product):
    assessed(product, cso, initial=(4, 3), residual=(4, 2), title="Wrong unit")
    page = logged_in(cso).get(PAGE).text
    assert "Rules below are still to be met" in page
    assert "The CSO has reviewed every significant or changed hazard" in page
    assert "Waiting for the CSO's review" in page
    assert 'href="/products/medsflow/hazards/H-001/review/?next=' in page
    assert ">Sign off</a>" in page and ">Block release</a>" in page
    assert "Override the gate" not in page


def test_each_role_sees_only_its_own_actions(cso, helen, sam, alex, release):
    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Not yet.")
    assert "Override the gate" in logged_in(helen).get(PAGE).text
    for person in (sam, alex):
        page = logged_in(person).get(PAGE).text
        assert "Override the gate" not in page and ">Sign off</a>" not in page
    for person in (cso, sam, alex):
        assert logged_in(person).get(f"{PAGE}override/").status_code == 403


def test_signing_off_in_the_browser_needs_the_password(cso, tom, release, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    argue_for(release, cso, tom)
    client = logged_in(cso)
    wrong = client.post(f"{PAGE}sign-off/", {"statement": "Safe.", "password": "nope"})
    assert wrong.status_code == 200
    assert "The password is not correct. Signing needs your own password." in wrong.text
    assert not release.sign_offs.exists()
    right = client.post(f"{PAGE}sign-off/", {"statement": "Safe.", "password": PASSWORD})
    assert right.status_code == 302
    assert "The gate approves this release" in client.get(PAGE).text


def test_a_stale_sign_off_says_what_changed_since_it_was_signed(cso, tom, release, product):
    hazard = assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    argue_for(release, cso, tom)
    sign_off(cso, release)
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version,
                        harm="Missed dose of insulin.")  # fmt: skip
    page = logged_in(cso).get(PAGE).text
    assert ">Sign-off out of date<" in page
    assert "What changed since Priya Shah signed it off" in page
    assert f"{hazard.reference} {hazard.title}: potential clinical harm" in page


def test_sign_off_is_refused_until_the_reviews_are_done(cso, release, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    response = logged_in(cso).post(f"{PAGE}sign-off/", {"statement": "Safe.", "password": PASSWORD})
    assert "You cannot sign what you have not looked at: review H-001 first." in response.text


def test_an_override_is_shown_in_red_with_the_justification_and_reaches_the_cso(
    cso, helen, release
):
    gate.block_release(
        actor=cso, release=release, password=PASSWORD, reasons="<script>alert(1)</script>"
    )
    client = logged_in(helen)
    form = client.get(f"{PAGE}override/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in form  # the CSO's reasons, escaped
    response = client.post(
        f"{PAGE}override/", {"justification": JUSTIFICATION, "password": PASSWORD}
    )
    assert response.status_code == 302
    page = logged_in(cso).get(PAGE).text
    assert "Released over the CSO's block by Helen Ward on" in page
    assert 'class="nhsuk-error-summary clinsafe-override"' in page
    assert "<script>alert(1)</script>" not in page
    assert "Notifications <strong" in page
    notes = logged_in(cso).get("/notifications/").text
    assert "Helen Ward overrode the release gate" in notes
    assert Notification.objects.get(recipient=cso).read_at is not None


def test_a_cso_lifts_a_block_with_a_reason(cso, release):
    block = gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Wait.")
    response = logged_in(cso).post(f"{PAGE}blocks/{block.pk}/lift/", {"reason": "Tested."})
    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.is_open, block.lift_reason) == (False, "Tested.")


def test_the_sign_off_page_of_a_blocked_release_offers_the_way_out_not_the_form(cso, release):
    block = gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Wait.")
    page = logged_in(cso).get(f"{PAGE}sign-off/").text
    assert "Release 2.4.0 is blocked" in page
    assert f"Blocked by you on {long_date(block.signed_at)}:</strong> Wait." in page
    assert f'href="{PAGE}blocks/{block.pk}/lift/"' in page
    assert "Sign off as Clinical Safety Officer" not in page


def test_the_badge_is_an_svg_of_the_status(cso, release):
    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Wait.")
    response = logged_in(cso).get(f"{PAGE}badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert "clinical safety: blocked" in response.text
    assert 'fill="#d5281b"' in response.text


def test_the_review_page_shows_the_whole_hazard_and_what_changed_since_the_last_review(
    cso, tom, release, product
):
    from clinsafe.hazards import services as hazards

    hazard = assessed(product, cso, initial=(4, 3), residual=(4, 2), title="Dose unit lost")
    hazards.add_control(actor=tom, product=product, hazards=[hazard], kind="design",
                        description="Unit shown beside every dose")  # fmt: skip
    gate.review_hazard(actor=cso, hazard=hazard)
    hazard.refresh_from_db()
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version,
                        harm="Ten-fold overdose.")  # fmt: skip
    page = logged_in(cso).get("/products/medsflow/hazards/H-001/review/").text
    assert "Dose unit lost" in page
    assert "Unit shown beside every dose" in page and "(Health IT design, proposed)" in page
    assert "Initial risk" in page and "Residual risk" in page
    assert "Changed since the review by Priya Shah on" in page
    assert "Hazard edited</strong> by Tom Okafor" in page
    assert "Ten-fold overdose." in page and "Potential clinical harm:" in page


def test_a_cso_reviews_and_accepts_from_the_hazard_page(cso, release, product):
    hazard = assessed(product, cso, initial=(4, 3), residual=(4, 2))
    client = logged_in(cso)
    page = client.get("/products/medsflow/hazards/H-001/").text
    assert "Clinical Safety Officer accepts, with an ALARP rationale" in page
    assert "Record my review" in page and "Accept residual risk" in page
    client.post("/products/medsflow/hazards/H-001/review/", {"comment": "Looked at it."})
    response = client.post(
        "/products/medsflow/hazards/H-001/accept/",
        {"rationale": "Nothing more is practical.", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert hazard.acceptances.get().accepted_as == "cso"
    assert hazard.reviews.get().comment == "Looked at it."


def test_a_review_only_returns_to_a_page_on_this_site(cso, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    response = logged_in(cso).post(
        "/products/medsflow/hazards/H-001/review/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/products/medsflow/hazards/H-001/"


def test_the_releases_page_lists_each_release_with_its_status(cso, sam, release):
    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Wait.")
    page = logged_in(sam).get("/products/medsflow/releases/").text
    assert 'href="/products/medsflow/releases/2.4.0/">2.4.0</a>' in page
    assert "nhsuk-tag--red" in page


def test_the_organisation_page_sets_stricter_acceptance_levels(helen, alex, northwind):
    page = logged_in(helen).get("/organisations/northwind/").text
    assert "Who may accept residual risk" in page
    levels = {f"rating_{r}": v for r, v in
              {1: "as_assessed", 2: "as_assessed", 3: "executive", 4: "executive",
               5: "not_acceptable"}.items()}  # fmt: skip
    response = logged_in(helen).post("/organisations/northwind/acceptance/", levels)
    assert response.status_code == 302
    northwind.refresh_from_db()
    assert northwind.stricter_acceptance == {"3": "executive"}
    looser = logged_in(helen).post(
        "/organisations/northwind/acceptance/", {**levels, "rating_5": "executive"}
    )
    assert looser.status_code == 302  # refused: the choice is not offered
    northwind.refresh_from_db()
    assert northwind.stricter_acceptance == {"3": "executive"}
    assert logged_in(alex).post("/organisations/northwind/acceptance/", levels).status_code == 403


def test_recording_a_release_as_released_needs_the_gates_approval(cso, sam, tom, release, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    client = logged_in(sam)
    refused = client.post(f"{PAGE}released/", follow=True)
    assert "The gate has not approved release 2.4.0" in refused.text
    review_all(cso, release)
    argue_for(release, cso, tom)
    gate.sign_off_release(actor=cso, release=release, password=PASSWORD, statement="Safe.")
    done = client.post(f"{PAGE}released/", follow=True)
    assert "recorded as released; what was signed is frozen as issued" in done.text
    release.refresh_from_db()
    assert release.stage == "released" and release.issued_gate["decision"] == "approved"


def test_editing_a_release_changes_its_hazards_and_configuration(sam, product, release):
    from tests.conftest import raise_hazard

    hazard = raise_hazard(product, sam)
    page = logged_in(sam).get(f"{PAGE}edit/").text
    assert 'name="revision" value="1"' in page
    response = logged_in(sam).post(
        f"{PAGE}edit/",
        {"version": "2.4.0", "revision": 1, "changes": hazard.reference,
         "components": "web = 2.4.0"},
    )  # fmt: skip
    assert response.status_code == 302
    release.refresh_from_db()
    assert [(link.hazard, link.change) for link in release.hazard_links.all()] == [
        (hazard, "changes")
    ]
    assert release.components == {"web": "2.4.0"}
