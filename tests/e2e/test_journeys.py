"""What people do in clinsafe, in a real browser: raise and assess a hazard, control it,
accept its risk, review and sign off a release, block it and override the block, and
download the board report."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.own_database

P = "/products/demo-eprescribing"


def test_a_reviewer_raises_assesses_and_controls_a_hazard(login):
    tom = login("reviewer")
    page = tom.go(f"{P}/")
    page.get_by_role("link", name="Raise a hazard").click()
    page.get_by_label("Title").fill("Allergy banner hidden on small screens")
    page.get_by_label("Description").fill("The allergy banner is cut off on tablets.")
    page.get_by_label("Causes").fill("Responsive layout hides the banner")
    page.get_by_role("button", name="Raise hazard").click()
    expect(page.locator("h1")).to_have_text("Allergy banner hidden on small screens")
    reference = page.locator(".nhsuk-caption-l").first.inner_text()

    page.get_by_role("link", name="Assess initial risk").click()
    page.get_by_label("Major", exact=True).check()
    page.get_by_label("Medium", exact=True).check()
    page.get_by_role("button", name="Record initial risk").click()
    page.get_by_role("link", name="Assess residual risk").click()
    page.get_by_label("Major", exact=True).check()
    page.get_by_label("Low", exact=True).check()
    page.get_by_role("button", name="Record residual risk").click()
    expect(page.get_by_text("Residual risk of " + reference + ": 3.")).to_be_visible()

    page.get_by_role("link", name="Add or link a control").click()
    page.get_by_label("Description").fill("Banner pinned above the fold at every width.")
    page.get_by_label("Health IT design").check()
    page.get_by_role("button", name="Add control").click()
    tom.shot("hazard-detail")

    sam = login("engineer")
    page = sam.go(f"{P}/controls/")
    page.get_by_role("link", name=re.compile(r"C-\d+")).last.click()
    page.get_by_role("link", name="Edit control").click()
    page.get_by_label("Verified").check()
    page.get_by_label("Verification evidence").fill("UI test suite run 2026-11-20.")
    page.get_by_role("button", name="Save control").click()
    expect(page.get_by_text("UI test suite run 2026-11-20.", exact=True)).to_be_visible()


def test_the_cso_accepts_reviews_and_signs_off_then_an_override_goes_on_the_record(login):
    priya = login("cso")
    page = priya.go(f"{P}/releases/2.5.0/")
    priya.shot("release-pending")
    # Review every hazard the page says is waiting, from the page itself.
    while page.get_by_role("link", name=re.compile(r"^review ")).count():
        page.get_by_role("link", name=re.compile(r"^review ")).first.click()
        page.get_by_role("button", name="Record my review").click()
    page.get_by_role("link", name="Sign off").click()
    page.get_by_label("Your statement as Clinical Safety Officer").fill("Reviewed; safe.")
    page.get_by_label("Your password").fill("wrong password")
    page.get_by_role("button", name="Sign off as Clinical Safety Officer").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The password is not correct")
    page.get_by_label("Your password").fill("clinsafe-demo")
    page.get_by_role("button", name="Sign off as Clinical Safety Officer").click()
    expect(page.get_by_text("You signed off release 2.5.0.")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("approved release 2.5.0")

    page.get_by_role("link", name="Block release").click()
    page.get_by_label("Reasons").fill("Discharge reconciliation not yet tested with pharmacy.")
    page.get_by_label("Your password").fill("clinsafe-demo")
    page.get_by_role("button", name="Block the release").click()
    expect(page.locator("h1")).to_contain_text("Blocked")

    helen = login("executive")
    page = helen.go(f"{P}/releases/2.5.0/")
    page.get_by_role("link", name="Override the gate").click()
    expect(page.get_by_text("Discharge reconciliation not yet tested").first).to_be_visible()
    page.get_by_label("Justification").fill(
        "Pharmacy has agreed to check every discharge by hand for two weeks. The redesign "
        "removes a known source of omitted medicines, which outweighs the untested path."
    )
    page.get_by_label("Your password").fill("clinsafe-demo")
    page.get_by_role("button", name="Override and approve the release").click()
    banner = page.locator(".clinsafe-override").first
    expect(banner).to_contain_text("Released over the CSO's block by Helen Ward on")
    helen.shot("release-overridden")

    page = priya.go("/notifications/")
    expect(
        page.get_by_text("overrode the release gate for MedsFlow e-Prescribing 2.5.0")
    ).to_be_visible()


def test_the_cso_accepts_a_rating_3_risk_with_a_signature(login):
    priya = login("cso")
    page = priya.go(f"{P}/?residual_rating=3")
    page.get_by_role("link", name=re.compile(r"^H-\d+$")).first.click()
    page.get_by_role("link", name="Accept residual risk").click()
    page.get_by_label("ALARP rationale").fill("Further controls would need ward changes.")
    page.get_by_label("Your password").fill("clinsafe-demo")
    page.get_by_role("button", name="Accept and sign").click()
    expect(page.get_by_text("You accepted the residual risk")).to_be_visible()


def test_the_executive_downloads_the_board_report(login):
    helen = login("executive")
    page = helen.go("/organisations/northwind-health/cso-health/")
    helen.shot("organisation-health")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    path = download.value.path()
    assert download.value.suggested_filename.startswith("board-report-northwind-health-")
    assert path.read_bytes()[:5] == b"%PDF-"


def test_a_newcomer_downloads_the_four_documents_of_the_demo_release(login):
    alex = login("viewer")
    page = alex.go(f"{P}/")
    documents = page.get_by_role("link", name="Documents", exact=True)
    if not documents.first.is_visible():  # folded under "More" on narrower screens
        page.locator("#toggle-menu").click()
    documents.first.click()
    alex.shot("documents")
    rows = {
        "Clinical Safety Case Report": page.locator("li", has_text="Clinical Safety Case Report")
        .filter(has_text="draft")
        .first,
        "Hazard Log": page.get_by_role("row", name=re.compile("^Hazard Log Live")),
        "Clinical Risk Management Plan": page.get_by_role("row", name=re.compile("^Clinical Risk")),
        "DTAC": page.get_by_role("row", name=re.compile("^DTAC")),
        "issued Safety Case Report": page.get_by_role("row", name=re.compile("^Clinical Safety")),
    }
    for name, row in rows.items():
        with page.expect_download() as download:
            row.get_by_role("link", name=re.compile("PDF")).first.click()
        assert download.value.path().read_bytes()[:5] == b"%PDF-", name


def test_a_reviewer_imports_a_spreadsheet_hazard_log_from_the_pages(login):
    from tests.reports.conftest import GP_CONNECT

    tom = login("reviewer")
    page = tom.go("/products/demo-letters/")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    page.get_by_label("Hazard log spreadsheet").set_input_files(str(GP_CONNECT))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Importing would create 53 hazards and 53 controls")).to_be_visible()
    # Numbered as the file numbers them: its hazard 2 becomes H-002.
    page.get_by_label("Number hazards by their references in the file").check()
    page.get_by_role("button", name="Check again with these columns").click()
    created = page.get_by_role("table", name="What would be created")
    expect(created.get_by_role("row").nth(1)).to_contain_text("H-002")
    tom.shot("hazard-log-import-preview")
    page.get_by_role("button", name="Import 53 hazards").click()
    # The worker imports it in the background; the page follows its progress and then
    # shows the outcome without a reload by hand.
    expect(
        page.get_by_role("heading", name="Importing gp-connect-consumers-v1.0.xlsx")
    ).to_be_visible()
    expect(page.get_by_text("53 hazards and 53 controls from")).to_be_visible()
    tom.shot("hazard-log-import-done")
    page.get_by_role("link", name="Go to the hazard log").click()
    expect(
        page.get_by_role("cell", name="Inconsistencies on the coding of allergies")
    ).to_be_visible()
    page.get_by_role("link", name="H-002", exact=True).click()
    expect(page.get_by_text("(2 in the imported file)")).to_be_visible()


def test_a_hazard_can_be_raised_with_the_keyboard_alone(login):
    tom = login("reviewer")
    page = tom.go(f"{P}/hazards/new/")
    tab_to(page, "id_title")
    page.keyboard.type("Keyboard-only hazard")
    page.keyboard.press("Tab")
    page.keyboard.type("Raised without a mouse.")
    for _ in range(12):  # on through the form to its button
        if page.evaluate("document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Keyboard-only hazard")


def tab_to(page, element_id, limit=60):
    """Press Tab until the element with ``element_id`` has the focus, as a keyboard user."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_the_argument_diagram_pans_and_zooms_from_the_keyboard_and_focuses_on_a_claim(login):
    priya = login("cso")
    page = priya.go(f"{P}/argument/")
    viewer = page.locator("#argument-diagram")
    level = page.locator("[data-zoom-level]").first
    expect(level).to_have_text("Shown at 100%")  # readable size first, not squeezed to fit
    viewer.focus()
    page.keyboard.press("+")
    expect(level).to_have_text("Shown at 125%")
    page.keyboard.press("0")  # the whole diagram
    expect(level).not_to_have_text(re.compile(r"Shown at (100|125)%"))
    width = viewer.evaluate("v => v.querySelector('svg').getBoundingClientRect().width")
    assert width <= viewer.evaluate("v => v.clientWidth") + 1
    page.keyboard.press("1")
    expect(level).to_have_text("Shown at 100%")
    priya.shot("argument")
    page.get_by_role("link", name=re.compile("^G-H-011")).first.click()
    expect(page.get_by_role("heading", name="G-H-011 and its neighbours")).to_be_visible()
    focus = page.locator("#neighbours-diagram svg")
    expect(focus.locator("g.node")).to_have_count(5)  # S1, the claim, its doubt and evidence
    priya.shot("argument-focus")


def test_a_block_can_be_signed_with_the_keyboard_alone(login):
    priya = login("cso")
    page = priya.go(f"{P}/releases/2.4.0/block/")
    tab_to(page, "id_reasons")
    page.keyboard.type("Keyboard check: the dose calculator has no regression report.")
    tab_to(page, "id_password")
    page.keyboard.type("clinsafe-demo")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Blocked")


def test_a_deploying_trust_reports_an_incident_and_the_supplier_triages_it(login):
    aisha = login("riverside-cso")
    page = aisha.go("/organisations/riverside-trust/supplier-bundles/")
    page.get_by_role("link", name=re.compile("MedsFlow e-Prescribing 2.4.0")).first.click()
    page.get_by_role("link", name=re.compile("Report a safety incident to")).click()
    page.get_by_label("Title").fill("Discharge letter lists a stopped medicine")
    page.get_by_label("What happened").fill("Warfarin stopped on the ward appeared on the TTO.")
    page.get_by_label("When it happened").fill("2026-11-20")
    page.get_by_role("group", name="Was a patient affected?").get_by_label("Yes").check()
    page.get_by_label("Low harm").check()
    page.get_by_label("Release in use").select_option(label="2.4.0")
    aisha.shot("incident-report")
    page.get_by_role("button", name="Report incident").click()
    expect(page.locator("h1")).to_have_text("Incident reported")
    reference = page.locator(".nhsuk-card strong").first.inner_text()

    priya = login("cso")
    page = priya.go(f"{P}/incidents/?status=reported")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Triage").click()
    page.get_by_label("Low harm").check()
    page.get_by_label("An identified hazard was realised").check()
    page.get_by_label("Hazards it realised").fill("H-005")
    page.get_by_role("group", name=re.compile("re-assessed")).get_by_label("No").check()
    page.get_by_role("group", name="Must it be reported externally?").get_by_label("No").check()
    page.get_by_role("button", name="Record triage").click()
    expect(page.get_by_text(f"{reference} triaged.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("H-005"))).to_be_visible()
    priya.shot("incident-triaged")


def test_the_cso_assesses_a_change_the_tracker_proposed(login):
    priya = login("cso")
    page = priya.go(f"{P}/changes/")
    page.get_by_role("link", name="CH-003").click()
    page.get_by_role("link", name="Assess safety impact").click()
    page.get_by_label("Hazards it touches").fill("H-010")
    page.get_by_role("group", name="Do new hazards arise?").get_by_label("No").check()
    page.get_by_role("group", name="Does it alter clinical risk?").get_by_label("Yes").check()
    page.get_by_label("Release that carries it").select_option(label="2.4.2")
    page.get_by_label("Your conclusion").fill("Pump doses come from the library: H-010 re-checked.")
    page.get_by_role("button", name="Record assessment").click()
    expect(page.get_by_text("Your assessment of CH-003 is recorded.")).to_be_visible()
    page = priya.go(f"{P}/releases/2.4.2/")
    expect(page.get_by_text("waiting for the CSO's assessment")).to_have_count(0)


def test_the_trust_cso_moves_to_the_suppliers_newer_bundle_and_reviews_again(login):
    aisha = login("riverside-cso")
    page = aisha.go("/organisations/riverside-trust/deployments/")
    page.get_by_role("link", name=re.compile("MedsFlow e-Prescribing at Riverside")).click()
    expect(page.get_by_text("A newer supplier bundle: 2.4.0")).to_be_visible()
    aisha.shot("deployment")
    page.get_by_role("link", name="Move to 2.4.0").click()
    expect(page.get_by_role("heading", name="To review again once adopted")).to_be_visible()
    page.get_by_role("button", name="Adopt 2.4.0").click()
    expect(page.get_by_text("The deployment moves to 2.4.0")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Upgrade to 2.4.0"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Accept or reject")).first.click()
    page.get_by_label("Accept: we implement it locally").check()
    page.get_by_label("If accepted: how it is implemented, and by whom").fill(
        "Pharmacy informatics configures the ward lists; ward managers check after each move."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(
        page.get_by_text(re.compile(r"C-\d+ accepted and implemented locally\."))
    ).to_be_visible()
    expect(page.get_by_text("Review again: the supplier changed it")).to_have_count(0)
    aisha.shot("deployment-upgrade")
