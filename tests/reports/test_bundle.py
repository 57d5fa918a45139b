"""The supplier bundle: exported by the manufacturer, received by a deploying organisation."""

import json

import pytest
from django.core.exceptions import ValidationError

from clinsafe.deployments.compare import compare
from clinsafe.deployments.models import SupplierBundle
from clinsafe.deployments.services import import_supplier_bundle
from clinsafe.hazards import services as hazards
from clinsafe.reports.bundle import PARTS, part_hash, read_bundle
from clinsafe.reports.bundle import export_bundle as export
from tests.conftest import argue_for, make_person
from tests.gate.conftest import assessed, review_all, sign_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust_cso(elsewhere):
    return make_person("rita", elsewhere, "cso", "Rita Shah")


@pytest.fixture
def shipped(cso, tom, release, product):
    dose = assessed(product, tom, initial=(4, 3), residual=(4, 1), title="Dose in wrong unit")
    hazards.add_control(actor=tom, product=product, hazards=[dose], kind="transferred",
                        description="Trust trains prescribers on units")  # fmt: skip
    argue_for(release, cso, tom)
    review_all(cso, release)
    sign_off(cso, release)
    return release


def test_a_bundle_carries_the_log_transferred_controls_safety_case_and_signatures(shipped):
    bundle = json.loads(export(shipped))
    assert bundle["format"] == "clinsafe-supplier-bundle" and bundle["format_version"] == 1
    (control,) = bundle["hazard_log"]["controls"]
    assert control["transferred_to_deploying_organisation"] is True
    assert bundle["safety_case"]["argument"]["digest"]
    assert bundle["safety_case"]["report"]["document_version"] == 1
    assert {s["kind"] for s in bundle["signatures"]} == {"sign-off", "compliance"}
    assert bundle["manifest"]["parts"] == {name: part_hash(bundle[name]) for name in PARTS}


def test_the_bundle_round_trip_is_lossless(shipped, trust_cso, elsewhere):
    data = export(shipped)
    received = import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=data)
    received.refresh_from_db()
    assert received.content == json.loads(data)
    assert read_bundle(json.dumps(received.content).encode()) == json.loads(data)
    assert (received.supplier_name, received.product_name, received.release_version) == (
        "Northwind Health",
        "MedsFlow",
        "2.4.0",
    )


def test_a_bundle_changed_after_export_is_refused_saying_which_part(shipped, trust_cso, elsewhere):
    bundle = json.loads(export(shipped))
    bundle["hazard_log"]["hazards"][0]["residual"]["rating"] = 1
    with pytest.raises(ValidationError) as refused:
        import_supplier_bundle(actor=trust_cso, organisation=elsewhere,
                               data=json.dumps(bundle).encode())  # fmt: skip
    (reason,) = refused.value.message_dict["file"]
    assert reason.startswith("Manifest: the hazard_log part has SHA-256")
    assert SupplierBundle.objects.count() == 0


def test_a_bundle_that_fails_the_schema_is_refused_saying_where(shipped, trust_cso, elsewhere):
    bundle = json.loads(export(shipped))
    bundle["hazard_log"]["hazards"][0]["status"] = "sort of open"
    del bundle["signatures"]
    with pytest.raises(ValidationError) as refused:
        import_supplier_bundle(actor=trust_cso, organisation=elsewhere,
                               data=json.dumps(bundle).encode())  # fmt: skip
    reasons = refused.value.message_dict["file"]
    assert "Schema: bundle: 'signatures' is a required property" in reasons
    assert any(r.startswith("Schema: hazard_log/hazards/0/status:") for r in reasons)
    assert SupplierBundle.objects.count() == 0


def test_not_json_is_refused(trust_cso, elsewhere):
    with pytest.raises(ValidationError, match="not JSON"):
        import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=b"<html>")


@pytest.mark.parametrize("depth", [101, 900, 5000])
def test_json_nested_deeper_than_any_bundle_is_refused(trust_cso, elsewhere, depth):
    data = ('{"manifest": ' + "[" * depth + "]" * depth + "}").encode()
    with pytest.raises(ValidationError, match="may not be nested more than 100 deep"):
        import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=data)
    assert SupplierBundle.objects.count() == 0


def test_a_newer_bundle_shows_what_the_supplier_added_changed_and_removed(
    shipped, cso, tom, sam, product, trust_cso, elsewhere
):
    from clinsafe.products.releases import create_release

    first = import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=export(shipped))
    dose = product.hazards.get(number=1)
    hazards.edit_hazard(actor=tom, hazard=dose, version=dose.version, harm="Overdose.")
    assessed(product, tom, initial=(2, 2), residual=(2, 1), title="Slow search")
    control = product.controls.get()
    hazards.withdraw_control(actor=tom, control=control, version=control.version,
                             reason="Replaced by a design control.")  # fmt: skip
    newer = create_release(actor=sam, product=product, version="2.5.0")
    second = import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=export(newer))
    assert second.previous == first
    comparison = compare(first.content, second.content)
    assert [h["reference"] for h in comparison.hazards.added] == ["H-002"]
    assert [(h["reference"], fields) for h, fields in comparison.hazards.changed] == [
        ("H-001", ["controls", "harm"])
    ]
    assert [c["reference"] for c in comparison.controls.removed] == ["C-001"]


def test_the_same_bundle_is_received_once(shipped, trust_cso, elsewhere):
    data = export(shipped)
    import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=data)
    with pytest.raises(ValidationError, match="already been imported"):
        import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=data)


def forged(bundle, **product):
    """``bundle`` edited after export, with its manifest recomputed as anyone can."""
    bundle["product"].update(product)
    bundle["manifest"]["parts"] = {name: part_hash(bundle[name]) for name in PARTS}
    return json.dumps(bundle).encode()


def test_a_bundle_from_a_supplier_kept_here_links_its_product(shipped, trust_cso, elsewhere):
    received = import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=export(shipped))
    assert received.supplier_product == shipped.product


def test_a_forged_bundle_naming_a_supplier_kept_here_is_refused(
    shipped, trust_cso, elsewhere, priya
):
    """The outsider's attack: another of the supplier's products named in a bundle it holds,
    the manifest recomputed, to report incidents into that product's log."""
    from clinsafe.products.services import create_product

    letters = create_product(
        actor=priya,
        organisation=shipped.product.organisation,
        name="Letters",
        slug="letters",
        intended_use="Clinic letters.",
    )
    data = forged(json.loads(export(shipped)), slug=letters.slug)
    assert read_bundle(data)  # its own manifest checks out
    with pytest.raises(ValidationError) as refused:
        import_supplier_bundle(actor=trust_cso, organisation=elsewhere, data=data)
    (reason,) = refused.value.message_dict["file"]
    assert reason.startswith("This bundle names Northwind Health, whose records are kept on this")
    assert "did not issue it as it is" in reason
    assert SupplierBundle.objects.count() == 0


def test_a_bundle_from_a_supplier_kept_elsewhere_is_kept_unlinked(shipped, trust_cso, elsewhere):
    bundle = json.loads(export(shipped))
    bundle["supplier"] = {"name": "Faraway Systems", "slug": "faraway"}
    bundle["manifest"]["parts"]["supplier"] = part_hash(bundle["supplier"])
    received = import_supplier_bundle(
        actor=trust_cso, organisation=elsewhere, data=json.dumps(bundle).encode()
    )
    assert received.supplier_product is None
