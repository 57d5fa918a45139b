"""The hazard log's use cases: what each allows, refuses, and records."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinsafe.audit.models import AuditEvent, EventType
from clinsafe.core.errors import StaleEdit
from clinsafe.hazards import services
from clinsafe.hazards.models import (
    Control,
    ControlKind,
    ControlStatus,
    Hazard,
    HazardStatus,
    RiskEstimate,
    Stage,
)
from clinsafe.risk import Likelihood, Severity
from tests.conftest import raise_hazard

pytestmark = pytest.mark.django_db


def events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type))


def messages_of(error: ValidationError) -> dict:
    return error.value.message_dict


class TestCreateHazard:
    def test_it_gives_the_next_reference_and_records_who_raised_it(self, product, tom):
        first = raise_hazard(product, tom)
        second = raise_hazard(product, tom, title="Wrong patient")
        assert (first.reference, second.reference) == ("H-001", "H-002")
        assert second.raised_by == tom
        [event, _] = events(EventType.HAZARD_RAISED)
        assert event.subject_label == "H-001 Dose shown in the wrong unit"
        assert event.actor_name == "Tom Okafor"
        assert event.data["causes"] == ["Unit conversion bug"]

    def test_references_are_never_reused_after_a_withdrawal(self, product, tom):
        first = raise_hazard(product, tom)
        services.withdraw_hazard(actor=tom, hazard=first, version=1, reason="Duplicate of H-002")
        assert raise_hazard(product, tom).reference == "H-002"

    def test_an_engineer_may_propose_a_hazard(self, product, sam):
        assert raise_hazard(product, sam).raised_by == sam

    @pytest.mark.parametrize("person", ["helen", "alex", "charlie"])
    def test_executives_viewers_and_outsiders_may_not(self, product, person, request):
        user = request.getfixturevalue(person)
        with pytest.raises(PermissionDenied, match="You may not raise a hazard in Northwind"):
            raise_hazard(product, user)
        assert not Hazard.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_a_missing_title_is_named(self, product, tom):
        with pytest.raises(ValidationError) as error:
            raise_hazard(product, tom, title="")
        assert messages_of(error) == {"title": ["This field cannot be blank."]}

    def test_causes_must_be_a_list_of_texts(self, product, tom):
        with pytest.raises(ValidationError) as error:
            raise_hazard(product, tom, causes="one cause", effects=[3])
        assert messages_of(error) == {
            "causes": ["Causes must be a list of texts."],
            "effects": ["Each entry of effects must be text, not int."],
        }

    def test_blank_causes_are_dropped(self, product, tom):
        assert raise_hazard(product, tom, causes=[" a ", "", "  "]).causes == ["a"]

    def test_the_owner_must_belong_to_the_organisation(self, product, tom, charlie):
        with pytest.raises(ValidationError) as error:
            raise_hazard(product, tom, owner=charlie)
        assert messages_of(error) == {"owner": ["The owner must be a member of Northwind Health."]}


class TestEditHazard:
    def test_it_saves_the_change_bumps_the_version_and_records_before_and_after(self, product, tom):
        hazard = raise_hazard(product, tom)
        hazard = services.edit_hazard(actor=tom, hazard=hazard, version=1, title="Unit error")
        assert (hazard.title, hazard.version) == ("Unit error", 2)
        [event] = events(EventType.HAZARD_EDITED)
        assert event.data == {"changes": {"title": ["Dose shown in the wrong unit", "Unit error"]}}

    def test_an_edit_based_on_a_stale_version_is_refused_and_nothing_changes(self, product, tom):
        hazard = raise_hazard(product, tom)
        services.edit_hazard(actor=tom, hazard=hazard, version=1, title="First edit")
        with pytest.raises(
            StaleEdit,
            match=r"^H-001 was changed by someone else .* \(you had version 1, it is now version 2",
        ):
            services.edit_hazard(actor=tom, hazard=hazard, version=1, title="Second edit")
        hazard.refresh_from_db()
        assert hazard.title == "First edit"
        assert len(events(EventType.HAZARD_EDITED)) == 1

    def test_a_missing_version_is_named(self, product, tom):
        hazard = raise_hazard(product, tom)
        with pytest.raises(ValidationError) as error:
            services.edit_hazard(actor=tom, hazard=hazard, version=None, title="x")
        assert list(messages_of(error)) == ["version"]

    def test_an_engineer_may_not_edit_a_hazard(self, product, tom, sam):
        hazard = raise_hazard(product, tom)
        with pytest.raises(PermissionDenied, match="Clinical Safety Officer, Clinical reviewer"):
            services.edit_hazard(actor=sam, hazard=hazard, version=1, title="x")

    def test_an_edit_that_changes_nothing_writes_nothing(self, product, tom):
        hazard = raise_hazard(product, tom)
        services.edit_hazard(actor=tom, hazard=hazard, version=1, title=hazard.title)
        hazard.refresh_from_db()
        assert hazard.version == 1
        assert events(EventType.HAZARD_EDITED) == []


class TestAssessRisk:
    def test_the_rating_is_derived_from_the_matrix(self, product, tom):
        hazard = raise_hazard(product, tom)
        estimate = services.assess_risk(
            actor=tom, hazard=hazard, stage="initial", severity=5, likelihood=1
        )
        assert estimate.rating == 3
        assert estimate.scheme == "NHS example scheme (DCB0129/DCB0160)"
        [event] = events(EventType.RISK_ASSESSED)
        assert event.data["rating"] == 3 and event.data["severity"] == "Catastrophic"

    def test_reassessment_adds_a_new_estimate_and_keeps_the_old(self, product, tom):
        hazard = raise_hazard(product, tom)
        services.assess_risk(actor=tom, hazard=hazard, stage="initial", severity=4, likelihood=3)
        services.assess_risk(actor=tom, hazard=hazard, stage="initial", severity=4, likelihood=4)
        current = Hazard.objects.with_current_risk().get(pk=hazard.pk)
        assert current.initial_rating == 4
        assert RiskEstimate.objects.filter(hazard=hazard).count() == 2

    def test_residual_risk_needs_an_initial_estimate_first(self, product, tom):
        hazard = raise_hazard(product, tom)
        with pytest.raises(ValidationError) as error:
            services.assess_risk(
                actor=tom, hazard=hazard, stage="residual", severity=4, likelihood=1
            )
        assert messages_of(error) == {
            "stage": ["Assess the initial risk before the residual risk."]
        }

    def test_a_raised_residual_severity_is_rejected(self, hazard, tom):
        with pytest.raises(ValidationError) as error:
            services.assess_risk(
                actor=tom,
                hazard=hazard,
                stage="residual",
                severity=5,
                likelihood=1,
                rationale="why not",
            )
        assert messages_of(error)["severity"][0].startswith(
            "Residual severity (Catastrophic) cannot be above the initial severity (Major)"
        )
        assert RiskEstimate.objects.filter(hazard=hazard).count() == 2

    def test_a_lowered_residual_severity_needs_a_rationale(self, hazard, tom):
        with pytest.raises(ValidationError) as error:
            services.assess_risk(
                actor=tom, hazard=hazard, stage="residual", severity=3, likelihood=1
            )
        assert list(messages_of(error)) == ["rationale"]
        estimate = services.assess_risk(
            actor=tom,
            hazard=hazard,
            stage="residual",
            severity=3,
            likelihood=1,
            rationale="The pump's hard limit caps the dose.",
        )
        assert estimate.rating == 2

    def test_an_initial_severity_below_the_residual_one_is_rejected(self, hazard, tom):
        with pytest.raises(ValidationError) as error:
            services.assess_risk(
                actor=tom, hazard=hazard, stage="initial", severity=3, likelihood=3
            )
        assert messages_of(error)["severity"] == [
            "The current residual severity is Major; the initial severity cannot be below it. "
            "Re-assess the residual risk first."
        ]

    def test_unknown_severity_and_stage_are_named(self, product, tom):
        hazard = raise_hazard(product, tom)
        with pytest.raises(ValidationError) as error:
            services.assess_risk(
                actor=tom, hazard=hazard, stage="initial", severity=9, likelihood=1
            )
        assert messages_of(error)["severity"][0].startswith("Severity must be one of 1 (Minor)")
        with pytest.raises(ValidationError) as error:
            services.assess_risk(actor=tom, hazard=hazard, stage="final", severity=1, likelihood=1)
        assert list(messages_of(error)) == ["stage"]

    def test_an_engineer_may_not_assess_risk(self, product, tom, sam):
        hazard = raise_hazard(product, tom)
        with pytest.raises(PermissionDenied, match="You may not assess risk"):
            services.assess_risk(
                actor=sam,
                hazard=hazard,
                stage=Stage.INITIAL,
                severity=Severity.MINOR,
                likelihood=Likelihood.LOW,
            )


class TestHazardStatus:
    def test_closing_needs_a_reason(self, hazard, priya):
        with pytest.raises(ValidationError) as error:
            services.change_hazard_status(
                actor=priya, hazard=hazard, version=hazard.version, status="closed", reason=" "
            )
        assert messages_of(error) == {"reason": ["Say why the hazard is closed."]}
        hazard = services.change_hazard_status(
            actor=priya,
            hazard=hazard,
            version=hazard.version,
            status="closed",
            reason="Feature removed in 2.4.",
        )
        assert hazard.status == HazardStatus.CLOSED
        [event] = events(EventType.HAZARD_STATUS_CHANGED)
        assert event.reason == "Feature removed in 2.4."
        assert event.data == {"changes": {"status": ["open", "closed"]}}

    def test_accepting_needs_a_residual_estimate(self, product, priya):
        hazard = raise_hazard(product, priya)
        with pytest.raises(ValidationError) as error:
            services.change_hazard_status(actor=priya, hazard=hazard, version=1, status="accepted")
        assert messages_of(error) == {
            "status": ["A hazard can be accepted only once its residual risk is assessed."]
        }


class TestWithdrawal:
    def test_a_withdrawn_hazard_stays_on_record_and_cannot_be_changed(self, hazard, tom):
        hazard = services.withdraw_hazard(
            actor=tom, hazard=hazard, version=hazard.version, reason="Entered twice"
        )
        assert hazard.is_withdrawn and hazard.withdrawn_by == tom
        assert Hazard.objects.filter(pk=hazard.pk).exists()
        assert not Hazard.objects.in_log().filter(pk=hazard.pk).exists()
        with pytest.raises(ValidationError, match="H-001 is withdrawn"):
            services.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, title="x")

    def test_withdrawal_needs_a_reason(self, hazard, tom):
        with pytest.raises(ValidationError) as error:
            services.withdraw_hazard(actor=tom, hazard=hazard, version=hazard.version, reason="")
        assert list(messages_of(error)) == ["reason"]


class TestControls:
    def test_a_control_is_added_linked_and_recorded(self, hazard, sam):
        control = services.add_control(
            actor=sam,
            product=hazard.product,
            hazards=[hazard],
            description="Units rendered by one formatter",
            kind=ControlKind.DESIGN,
        )
        assert control.reference == "C-001"
        assert list(control.hazards.all()) == [hazard]
        [event] = events(EventType.CONTROL_ADDED)
        assert event.data["hazards"] == ["H-001"]
        [linked] = events(EventType.CONTROL_LINKED)
        assert (linked.subject_id, linked.data["control"]) == (hazard.pk, "C-001")

    def test_a_verified_control_needs_its_evidence(self, hazard, sam):
        with pytest.raises(ValidationError) as error:
            services.add_control(
                actor=sam,
                product=hazard.product,
                description="Unit test",
                kind=ControlKind.TESTING,
                status=ControlStatus.VERIFIED,
            )
        assert messages_of(error) == {
            "verification_evidence": [
                "A verified control needs its verification evidence: describe it or link to it."
            ]
        }
        assert not Control.objects.exists()

    def test_one_control_may_mitigate_several_hazards(self, hazard, product, tom, sam):
        other = raise_hazard(product, tom, title="Wrong patient")
        control = services.add_control(
            actor=sam, product=product, hazards=[hazard], description="Banner", kind="design"
        )
        services.link_control(actor=sam, control=control, hazard=other)
        assert set(control.hazards.all()) == {hazard, other}
        with pytest.raises(ValidationError, match="C-001 is already linked to H-002"):
            services.link_control(actor=sam, control=control, hazard=other)
        services.unlink_control(actor=sam, control=control, hazard=other)
        assert list(control.hazards.all()) == [hazard]
        # On adding: one on H-001. On linking: one on the control, one on H-002.
        assert [e.subject_label for e in events(EventType.CONTROL_LINKED)] == [
            "H-001 Dose shown in the wrong unit",
            "C-001 Banner",
            "H-002 Wrong patient",
        ]

    def test_a_control_cannot_mitigate_another_products_hazard(
        self, hazard, other_product, charlie, sam
    ):
        foreign = raise_hazard(other_product, charlie)
        control = services.add_control(
            actor=sam, product=hazard.product, description="Banner", kind="design"
        )
        with pytest.raises(ValidationError, match="H-001 belongs to another product"):
            services.link_control(actor=sam, control=control, hazard=foreign)

    def test_an_engineer_records_verification_but_may_not_withdraw(self, hazard, sam):
        control = services.add_control(
            actor=sam, product=hazard.product, description="Banner", kind="design"
        )
        control = services.edit_control(
            actor=sam,
            control=control,
            version=1,
            status="verified",
            verification_evidence="Test report TR-1",
        )
        assert control.status == "verified" and control.version == 2
        with pytest.raises(PermissionDenied, match="You may not withdraw a control"):
            services.withdraw_control(actor=sam, control=control, version=2, reason="x")
