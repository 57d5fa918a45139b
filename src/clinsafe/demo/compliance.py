"""The demo product's plan approval, 2.4.0's DCB0129 compliance assessment and the bundle
handed to the trust that deploys it, loaded through the same services as real work."""

from __future__ import annotations

from django.contrib.auth.models import User

from clinsafe.core.models import Organisation
from clinsafe.deployments.services import import_supplier_bundle
from clinsafe.products.models import Product, Release
from clinsafe.reports import services
from clinsafe.reports.bundle import export_bundle
from clinsafe.reports.dcb0129 import REQUIREMENTS, Evidence
from clinsafe.reports.models import ComplianceStatus

# Parts of the demo's process that are only partly in place, as a real team's would be.
PARTLY = {
    "2.6.1": "The yearly review of the process is scheduled; the last one was 14 months ago.",
    "7.2.1": "Users report concerns by email to the CSO; an in-product form is being built.",
}
THIRD_PARTY = ("2.5.1", "2.5.2")


def approve_plan(product: Product, cso: User, password: str) -> None:
    services.approve_plan(
        actor=cso,
        product=product,
        password=password,
        statement="This plan describes how we manage MedsFlow's clinical risk; I approve it.",
    )


def assess_compliance(release: Release, cso: User, password: str) -> None:
    answers = {}
    for r in REQUIREMENTS:
        if r.clause in PARTLY:
            answers[r.clause] = {"status": ComplianceStatus.PARTLY, "evidence": PARTLY[r.clause]}
        else:
            answers[r.clause] = {"status": ComplianceStatus.COMPLIANT,
                                 "evidence": f"{r.evidence.value} in clinsafe."}  # fmt: skip
    for clause in THIRD_PARTY:
        answers[clause] = {
            "status": ComplianceStatus.COMPLIANT if release.product.third_party_products
            else ComplianceStatus.NOT_APPLICABLE,
            "evidence": f"{Evidence.REPORT.value}: third-party products section.",
        }  # fmt: skip
    services.assess_compliance(actor=cso, release=release, answers=answers)
    services.sign_compliance(actor=cso, release=release, password=password)


def hand_over_bundle(release: Release, cso: User, organisation: Organisation) -> None:
    """The trust that deploys the product receives the supplier's bundle of ``release``."""
    import_supplier_bundle(actor=cso, organisation=organisation, data=export_bundle(release))
