"""The audit trail verifies, and every kind of tampering the tests try is detected."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from clinsafe.audit import triggers
from clinsafe.audit.chain import content_hash
from clinsafe.audit.models import AuditEvent, ChainHead
from clinsafe.audit.services import history_of, verify_audit_trail
from clinsafe.hazards import services
from tests.conftest import raise_hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(product, tom):
    """Five events: a hazard raised, edited three times, then assessed."""
    hazard = raise_hazard(product, tom)
    for title in ("Second", "Third", "Fourth"):
        hazard = services.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, title=title)
    services.assess_risk(actor=tom, hazard=hazard, stage="initial", severity=4, likelihood=3)
    assert AuditEvent.objects.count() == 5
    return hazard


def sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def without_triggers():
    for statement in triggers.statements(triggers.DROP, connection.vendor):
        sql(statement)


def test_an_untouched_trail_verifies(trail, capsys):
    result = verify_audit_trail()
    assert result.ok and result.count == 5
    call_command("verify_audit")
    assert capsys.readouterr().out.strip() == "All 5 audit events verify."


def test_the_database_refuses_to_change_or_delete_an_event(trail):
    for statement in (
        "UPDATE audit_auditevent SET reason = 'x' WHERE sequence = 2",
        "DELETE FROM audit_auditevent WHERE sequence = 2",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql(statement)
    assert verify_audit_trail().ok


def test_the_application_refuses_too(trail):
    event = AuditEvent.objects.get(sequence=2)
    event.reason = "x"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_an_altered_event_is_detected(trail):
    without_triggers()
    sql("UPDATE audit_auditevent SET actor_name = 'Someone Else' WHERE sequence = 3")
    result = verify_audit_trail()
    assert result.first_bad_sequence == 3
    assert str(result) == (
        "Audit event #3 does not verify: its content was changed after it was recorded."
    )
    with pytest.raises(CommandError, match="Audit event #3 does not verify"):
        call_command("verify_audit")


def test_an_altered_event_rehashed_without_the_key_is_detected(trail):
    without_triggers()
    event = AuditEvent.objects.get(sequence=3)
    event.reason = "rewritten"
    forged = content_hash(event)
    sql(
        "UPDATE audit_auditevent SET reason = 'rewritten', content_hash = %s WHERE sequence = 3",
        forged,
    )
    sql("UPDATE audit_auditevent SET previous_hash = %s WHERE sequence = 4", forged)
    result = verify_audit_trail()
    assert result.first_bad_sequence == 3
    assert "written or rewritten without the audit key" in str(result)


def test_a_deleted_event_is_detected(trail):
    without_triggers()
    sql("DELETE FROM audit_auditevent WHERE sequence = 2")
    result = verify_audit_trail()
    assert result.first_bad_sequence == 2
    assert "expected event #2 next but found #3" in str(result)


def test_an_inserted_event_is_detected(trail):
    without_triggers()
    genuine = AuditEvent.objects.get(sequence=5)
    sql("UPDATE audit_auditevent SET sequence = 6 WHERE sequence = 5")
    sql(
        "INSERT INTO audit_auditevent (sequence, occurred_at, event_type, actor_name, "
        "organisation_name, subject_type, subject_id, subject_label, data, reason, "
        "previous_hash, content_hash, signature, subject_state) "
        "VALUES (5, %s, 'hazard.edited', 'Mallory', '', 'hazards.hazard', 1, 'H-001', '{}', '',"
        " %s, %s, %s, '')",
        genuine.occurred_at,
        genuine.previous_hash,
        "f" * 64,
        "e" * 64,
    )
    result = verify_audit_trail()
    assert result.first_bad_sequence == 5
    assert "content was changed" in str(result)


def test_a_cut_off_tail_is_detected_even_with_the_head_rewound(trail):
    without_triggers()
    fourth = AuditEvent.objects.get(sequence=4)
    sql("DELETE FROM audit_auditevent WHERE sequence = 5")
    ChainHead.objects.filter(pk=1).update(last_sequence=4, last_hash=fourth.content_hash)
    result = verify_audit_trail()
    assert not result.ok
    assert str(result) == "The chain does not verify: the chain head's signature does not match."


def test_a_cut_off_tail_is_detected(trail):
    without_triggers()
    sql("DELETE FROM audit_auditevent WHERE sequence = 5")
    result = verify_audit_trail()
    assert "the chain head says it ends at #5, but the events end at #4" in str(result)


def test_events_outlive_the_person_who_made_them(northwind, product):
    from clinsafe.core.services import add_person
    from tests.conftest import make_person

    admin = make_person("ada", northwind, "admin", "Ada Admin")
    newcomer, _password = add_person(
        actor=admin,
        organisation=northwind,
        username="temp",
        first_name="Temp",
        last_name="Worker",
        role="viewer",
    )
    newcomer_id = newcomer.pk
    User.objects.filter(pk=newcomer_id).delete()
    events = AuditEvent.objects.filter(subject_type="auth.user", subject_id=newcomer_id)
    assert [e.data["person"] for e in events] == ["Temp Worker"]
    # The chain still verifies; the person deleted behind its back is named.
    result = verify_audit_trail()
    assert not result.problem
    assert f"user #{newcomer_id} is gone, but audit event #1 recorded it" in result.records[0]


def test_a_hazards_history_lists_its_events_newest_first(trail):
    labels = [e.get_event_type_display() for e in history_of(trail)]
    assert labels == [
        "Risk assessed",
        "Hazard edited",
        "Hazard edited",
        "Hazard edited",
        "Hazard raised",
    ]


def test_events_appended_at_end_are_chained_in_order_when_the_block_ends(product, tom):
    from clinsafe.audit.services import appended_at_end

    before = ChainHead.objects.get().last_sequence
    with transaction.atomic(), appended_at_end():
        first = raise_hazard(product, tom, title="First")
        raise_hazard(product, tom, title="Second")
        assert ChainHead.objects.get().last_sequence == before, "nothing chained yet"
    events = AuditEvent.objects.filter(sequence__gt=before).order_by("sequence")
    assert [e.subject_label for e in events] == [str(first), "H-002 Second"]
    assert [e.sequence for e in events] == [before + 1, before + 2]
    assert ChainHead.objects.get().last_sequence == before + 2
    assert verify_audit_trail().ok


def test_a_block_rolled_back_chains_none_of_its_events(product, tom):
    from clinsafe.audit.services import appended_at_end

    before = AuditEvent.objects.count()
    with transaction.atomic(), appended_at_end():
        raise_hazard(product, tom, title="Kept back")
        transaction.set_rollback(True)
    with pytest.raises(ValueError), transaction.atomic(), appended_at_end():
        raise_hazard(product, tom, title="Failed")
        raise ValueError("the import failed")
    assert AuditEvent.objects.count() == before and verify_audit_trail().ok
