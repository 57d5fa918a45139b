"""Rules of the safety incident log."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clinsafe.audit.models import AuditEvent
from clinsafe.core.models import Notification
from clinsafe.deployments.models import SupplierBundle
from clinsafe.hazards import services as hazards
from clinsafe.incidents import services
from clinsafe.incidents.models import IncidentHazard, IncidentStatus
from tests.conftest import raise_hazard
from tests.incidents.conftest import report, triage


def test_any_member_reports_an_incident_and_the_cso_is_told(product: Any, alex: Any, cso: Any):
    incident = report(product, alex)

    assert incident.reference == "I-001"
    assert incident.status == IncidentStatus.REPORTED
    assert incident.reporting_organisation == product.organisation
    assert AuditEvent.objects.filter(event_type="incident.reported").count() == 1
    assert Notification.objects.filter(recipient=cso, message__contains="I-001").exists()


def test_an_outsider_may_not_report(product: Any, charlie: Any):
    with pytest.raises(PermissionDenied):
        report(product, charlie)


def test_a_deploying_organisation_reports_to_its_supplier(product: Any, charlie: Any):
    SupplierBundle.objects.create(
        organisation=charlie.memberships.get().organisation,
        supplier_name="Northwind Health", supplier_slug="northwind",
        product_name="MedsFlow", product_slug="medsflow", release_version="2.4.0",
        supplier_product=product, content={}, sha256="0" * 64, imported_by=charlie,
    )  # fmt: skip

    incident = report(product, charlie)

    assert incident.reporting_organisation.slug == "elsewhere"
    assert product in services.reportable_products(charlie)


def test_dates_and_harm_must_be_consistent(product: Any, sam: Any):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as raised:
        report(
            product, sam, occurred_on=today + timedelta(days=1),
            reported_on=today, patient_affected=False, reported_harm="moderate",
        )  # fmt: skip
    assert set(raised.value.error_dict) == {"occurred_on", "reported_on", "reported_harm"}
    with pytest.raises(ValidationError) as raised:
        report(product, sam, occurred_on=today, reported_on=today - timedelta(days=1))
    assert "reported_on" in raised.value.error_dict


def test_triage_needs_a_clinician(incident: Any, sam: Any):
    with pytest.raises(PermissionDenied):
        triage(incident, sam, finding="not_a_hazard")


def test_a_realised_hazard_is_linked_and_awaits_reassessment(incident: Any, hazard: Any, tom: Any):
    triaged = triage(incident, tom, hazards=[hazard])

    assert triaged.status == IncidentStatus.INVESTIGATING
    assert list(IncidentHazard.objects.awaiting_reassessment()) == list(
        IncidentHazard.objects.filter(hazard=hazard)
    )
    hazards.assess_risk(actor=tom, hazard=hazard, stage="initial", severity=4, likelihood=3)
    assert not IncidentHazard.objects.awaiting_reassessment().exists()
    assert AuditEvent.objects.filter(event_type="incident.triaged", subject_id=hazard.pk).exists()


def test_a_failed_control_links_its_hazards_and_must_be_reassessed(
    incident: Any, hazard: Any, tom: Any
):
    control = hazards.add_control(
        actor=tom, product=hazard.product, hazards=[hazard], description="Units shown in full",
        kind="design",
    )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        triage(incident, tom, finding="control_failed", failed_controls=[control],
               reassessment_required=False)  # fmt: skip
    assert "reassessment_required" in raised.value.error_dict

    triaged = triage(incident, tom, finding="control_failed", failed_controls=[control])

    assert list(triaged.hazards.all()) == [hazard]
    assert list(triaged.failed_controls.all()) == [control]


def test_a_new_hazard_is_raised_from_the_incident(incident: Any, tom: Any):
    triaged = triage(
        incident, tom, finding="new_hazard",
        new_hazard={"title": "Unit lost on printed chart", "description": "Printouts drop units."},
    )  # fmt: skip

    new = triaged.hazards.get()
    assert new.title == "Unit lost on printed chart"
    assert new.reference == "H-001"
    assert IncidentHazard.objects.get(hazard=new).reassessment_required


def test_the_finding_must_match_what_is_named(incident: Any, hazard: Any, tom: Any):
    with pytest.raises(ValidationError) as raised:
        triage(incident, tom, finding="hazard_realised")
    assert "hazards" in raised.value.error_dict
    with pytest.raises(ValidationError) as raised:
        triage(incident, tom, finding="not_a_hazard", hazards=[hazard])
    assert "finding" in raised.value.error_dict


def test_hazards_of_another_product_are_refused(incident: Any, other_product: Any, charlie: Any,
                                                tom: Any):  # fmt: skip
    elsewhere = raise_hazard(other_product, charlie)
    with pytest.raises(ValidationError) as raised:
        triage(incident, tom, hazards=[elsewhere])
    assert "hazards" in raised.value.error_dict


def test_severe_harm_must_be_reported_externally_with_its_reference(
    incident: Any, hazard: Any, tom: Any
):
    with pytest.raises(ValidationError) as raised:
        triage(incident, tom, hazards=[hazard], actual_harm="severe")
    assert "external_report_required" in raised.value.error_dict

    triaged = triage(incident, tom, hazards=[hazard], actual_harm="severe",
                     external_report_required=True, external_body="lfpse")  # fmt: skip
    services.record_investigation(
        actor=tom, incident=triaged, version=triaged.version,
        findings="Unit dropped in rendering.", learning="Render units from the dose record.",
    )  # fmt: skip
    triaged.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        services.close_incident(actor=tom, incident=triaged, version=triaged.version)
    assert "external_reference" in raised.value.error_dict

    reported = services.record_external_report(
        actor=tom, incident=triaged, version=triaged.version, external_reference="LFPSE-123",
        externally_reported_on=timezone.localdate(),
    )  # fmt: skip
    closed = services.close_incident(actor=tom, incident=reported, version=reported.version)
    assert closed.status == IncidentStatus.CLOSED


def test_closing_needs_findings_and_learning(incident: Any, tom: Any):
    triaged = triage(incident, tom, finding="not_a_hazard", actual_harm="none")
    with pytest.raises(ValidationError) as raised:
        services.close_incident(actor=tom, incident=triaged, version=triaged.version)
    assert set(raised.value.error_dict) == {"findings", "learning"}


def test_investigation_waits_for_triage(incident: Any, sam: Any):
    with pytest.raises(ValidationError, match="Triage I-001 first"):
        services.record_investigation(
            actor=sam, incident=incident, version=incident.version, root_cause="Rounding."
        )


def test_actions_have_owners_and_due_dates_and_overdue_ones_are_listed(
    incident: Any, tom: Any, sam: Any, charlie: Any
):
    triaged = triage(incident, tom, finding="not_a_hazard", actual_harm="none")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as raised:
        services.add_action(actor=sam, incident=triaged, kind="corrective", description="Fix",
                            owner=charlie, due_on=today - timedelta(days=1))  # fmt: skip
    assert set(raised.value.error_dict) == {"owner", "due_on"}

    action = services.add_action(
        actor=sam, incident=triaged, kind="preventive", description="Add a unit test", owner=sam,
        due_on=today,
    )  # fmt: skip
    products = type(incident.product).objects.all()
    assert not services.overdue_actions(products).exists()
    type(action).objects.filter(pk=action.pk).update(due_on=today - timedelta(days=3))
    assert list(services.overdue_actions(products)) == [action]

    services.complete_action(actor=sam, action=action, outcome="Test added in 2.4.1.")
    assert not services.overdue_actions(products).exists()
    with pytest.raises(ValidationError, match="already done"):
        services.complete_action(actor=sam, action=action, outcome="Again.")
