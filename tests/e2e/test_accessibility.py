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
    violations = axe.run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_the_login_page_has_no_serious_or_critical_violation(browser, server, axe):
    page = browser.new_page()
    page.goto(server.url + "/login/")
    violations = axe.run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    page.close()
