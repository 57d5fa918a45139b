"""axe-core on every main page: no serious or critical accessibility violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.own_database

P = "/products/demo-eprescribing"
D = "/organisations/riverside-trust/deployments"
PAGES = [
    ("cso", "/products/", "products"),
    ("cso", f"{P}/", "hazard-log"),
    ("cso", f"{P}/matrix/", "risk-matrix"),
    ("cso", f"{P}/hazards/H-001/", "hazard"),
    ("cso", f"{P}/hazards/H-001/assess/residual/", "assess-form"),
    ("cso", f"{P}/hazards/new/", "hazard-form"),
    ("cso", f"{P}/controls/", "controls"),
    ("cso", f"{P}/controls/C-001/", "control"),
    ("cso", f"{P}/releases/", "releases"),
    ("cso", f"{P}/releases/2.4.0/", "release-approved"),
    ("cso", f"{P}/releases/2.3.0/", "release-overridden"),
    ("cso", f"{P}/releases/2.4.1/sign-off/", "sign-off-form"),
    ("cso", f"{P}/releases/new/", "release-form"),
    ("cso", f"{P}/cso/", "product-cso"),
    ("cso", f"{P}/argument/", "argument"),
    ("cso", f"{P}/argument/nodes/G-H-011/", "argument-focus"),
    ("cso", f"{P}/needs-me/", "needs-me"),
    ("cso", f"{P}/cso-health/", "product-health"),
    ("cso", "/products/demo-results-viewer/cso-health/", "product-health-hollow"),
    ("cso", "/account/", "account"),
    ("cso", "/notifications/", "notifications"),
    ("executive", "/organisations/northwind-health/", "organisation"),
    ("executive", "/organisations/northwind-health/cso-health/", "organisation-health"),
    ("executive", "/organisations/northwind-health/board-report/", "board-report"),
    ("executive", f"{P}/releases/2.4.1/override/", "override-form"),
    ("cso", f"{P}/documents/", "documents"),
    ("cso", f"{P}/releases/2.4.0/safety-case-report.html", "safety-case-report"),
    ("cso", f"{P}/documents/plan.html", "risk-management-plan"),
    ("cso", f"{P}/releases/2.4.0/compliance/", "compliance"),
    ("cso", f"{P}/hazard-log/import/", "hazard-log-import"),
    ("riverside-cso", "/organisations/riverside-trust/supplier-bundles/", "supplier-bundles"),
    ("cso", f"{P}/incidents/", "incident-log"),
    ("cso", f"{P}/incidents/I-002/", "incident"),
    ("viewer", f"{P}/incidents/report/", "incident-report-form"),
    ("reviewer", f"{P}/incidents/I-002/investigation/", "investigation-form"),
    ("cso", f"{P}/changes/", "changes"),
    ("cso", f"{P}/changes/CH-001/", "change"),
    ("cso", f"{P}/changes/CH-003/assess/", "change-assess-form"),
    ("riverside-cso", f"{D}/", "deployments"),
    ("riverside-cso", f"{D}/new/", "deployment-form"),
    ("riverside-cso", f"{D}/1/", "deployment"),
    ("riverside-cso", f"{D}/1/hazard-log/", "deployment-hazard-log"),
    ("riverside-cso", f"{D}/1/supplier-hazards/H-003/", "supplier-hazard"),
    ("riverside-cso", f"{D}/1/assurance/", "deployment-assurance-form"),
    ("riverside-cso", f"{D}/1/adopt/2/", "deployment-adopt-form"),
    ("riverside-exec", f"{D}/1/accept-risks/", "deployment-accept-risks-form"),
]


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize(("who", "path", "name"), PAGES, ids=[name for *_, name in PAGES])
def test_the_page_has_no_serious_or_critical_violation(login, axe, who, path, name):
    session = login(who)
    page = session.go(path)
    session.shot(name)
    assert serious(axe, page) == []


def serious(axe, page):
    """The serious and critical violations axe-core finds on ``page``, in words."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", ["/login/", "/password-reset/"])
def test_the_pages_before_log_in_have_no_serious_or_critical_violation(browser, server, axe, path):
    page = browser.new_page()
    page.goto(server.url + path)
    assert serious(axe, page) == []
    page.close()


def test_the_import_pages_have_no_serious_or_critical_violation(login, axe):
    from playwright.sync_api import expect

    from tests.reports.conftest import GP_CONNECT

    page = login("reviewer").go("/products/demo-triage/hazard-log/import/")
    page.get_by_label("Hazard log spreadsheet").set_input_files(str(GP_CONNECT))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Importing would create 53 hazards")).to_be_visible()
    assert serious(axe, page) == [], "the preview"
    page.get_by_role("button", name="Import 53 hazards").click()
    expect(page.get_by_role("link", name="Go to the hazard log")).to_be_visible()
    assert serious(axe, page) == [], "the outcome"
