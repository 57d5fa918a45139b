"""The tamper corpus: each way someone with the database but not the audit key might rewrite
the record, tried on the demo (release 2.4.0 approved, 2.4.1 blocked), and each detected:
by `verify-audit`, by the checkpoint kept outside the database, and where it touches a
signature, by the gate no longer counting it."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from clinsafe.audit import triggers
from clinsafe.audit.chain import GENESIS_HASH, digest, head_message, sign
from clinsafe.audit.checkpoint import advance_checkpoint
from clinsafe.audit.models import AuditEvent, ChainHead
from clinsafe.audit.services import verify_audit_trail
from clinsafe.gate.decision import Decision
from clinsafe.gate.evaluation import evaluate
from clinsafe.gate.models import Block, HazardReview, SignOff
from clinsafe.gate.snapshot import hazard_snapshot
from clinsafe.hazards.models import Hazard
from clinsafe.products.models import Release

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_data, settings, tmp_path):
    """The demo with its checkpoint written, as the last commit of its load left it."""
    settings.AUDIT_CHECKPOINT = tmp_path / "checkpoint.json"
    head = ChainHead.objects.get(pk=1)
    advance_checkpoint(settings.AUDIT_CHECKPOINT, head.last_sequence, head.last_hash)
    for statement in triggers.statements(triggers.DROP, connection.vendor):
        sql(statement)  # every case starts where the append-only triggers are gone


def sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def release(version):
    return Release.objects.get(product__slug="demo-eprescribing", version=version)


def h001():
    return Hazard.objects.get(product__slug="demo-eprescribing", number=1)


def last_sequence():
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]


def signed_head_at(sequence):
    """The chain's head as a backup taken at ``sequence`` holds it, signed."""
    last_hash = GENESIS_HASH
    if sequence:
        last_hash = AuditEvent.objects.get(sequence=sequence).content_hash
    signature = sign(settings.AUDIT_KEY, head_message(sequence, last_hash))
    ChainHead.objects.filter(pk=1).update(
        last_sequence=sequence, last_hash=last_hash, signature=signature
    )


def cut_tail():
    sql("DELETE FROM audit_auditevent WHERE sequence > %s", last_sequence() - 3)


def cut_tail_and_roll_back_the_head():
    cut_tail()
    signed_head_at(last_sequence())


def empty_the_chain_and_reset_the_head():
    sql("DELETE FROM audit_auditevent")
    ChainHead.objects.filter(pk=1).update(last_sequence=0, last_hash=GENESIS_HASH, signature="")


def empty_the_chain_and_put_back_a_new_databases_head():
    sql("DELETE FROM audit_auditevent")
    signed_head_at(0)


def edit_an_event():
    sql("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE sequence = 5")


def edit_a_hazard():
    sql("UPDATE hazards_hazard SET title = 'Harmless' WHERE id = %s", h001().pk)


def edit_a_hazard_forge_its_review_and_rewrite_the_sign_off():
    """The issue's case: H-001 edited in SQL, a review inserted over it as edited, and the
    sign-off's hash rewritten to the release as it now stands."""
    edit_a_hazard()
    hazard, original = h001(), HazardReview.objects.first()  # its seal, copied
    sql(
        "INSERT INTO gate_hazardreview (hazard_id, hazard_version, snapshot_hash, reviewed_by_id,"
        " reviewer_name, reviewed_at, comment, seal) VALUES (%s, %s, %s, %s, %s, %s, '', %s)",
        hazard.pk,
        hazard.version,
        digest(hazard_snapshot(hazard)),
        original.reviewed_by_id,
        original.reviewer_name,
        timezone.now(),
        original.seal,
    )
    now = evaluate(release("2.4.0"))
    sql(
        "UPDATE gate_signoff SET snapshot_hash = %s WHERE release_id = %s",
        now.snapshot_hash,
        release("2.4.0").pk,
    )


def rewrite_a_sign_offs_statement():
    sql("UPDATE gate_signoff SET statement = 'Safe.' WHERE release_id = %s", release("2.4.0").pk)


def lift_a_block():
    sql(
        "UPDATE gate_block SET lifted_at = %s, lift_reason = 'x' WHERE release_id = %s",
        timezone.now(),
        release("2.4.1").pk,
    )


def rewrite_who_signed_compliance_the_plan_and_a_risk_acceptance():
    from clinsafe.deployments.models import ResidualRiskAcceptance
    from clinsafe.reports.models import ComplianceSignature, PlanApproval

    for model in (ComplianceSignature, PlanApproval, ResidualRiskAcceptance):
        sql(f"UPDATE {model._meta.db_table} SET signer_name = %s", "Someone Else")  # noqa: S608


def tamper_with_the_checkpoint():
    path = settings.AUDIT_CHECKPOINT
    path.write_text(path.read_text().replace('"sequence": ', '"sequence": 1'))


CORPUS = [
    cut_tail,
    cut_tail_and_roll_back_the_head,
    empty_the_chain_and_reset_the_head,
    empty_the_chain_and_put_back_a_new_databases_head,
    edit_an_event,
    edit_a_hazard,
    edit_a_hazard_forge_its_review_and_rewrite_the_sign_off,
    rewrite_a_sign_offs_statement,
    lift_a_block,
    rewrite_who_signed_compliance_the_plan_and_a_risk_acceptance,
    tamper_with_the_checkpoint,
]


def test_the_untouched_demo_verifies_against_its_checkpoint(demo, capsys):
    call_command("verify_audit", "--checkpoint", str(settings.AUDIT_CHECKPOINT))
    out = capsys.readouterr().out
    assert out.startswith(f"All {last_sequence()} audit events verify.\n")
    assert "The chain reaches the checkpoint" in out
    assert evaluate(release("2.4.0")).decision.decision == Decision.APPROVED


@pytest.mark.parametrize("tamper", CORPUS, ids=[case.__name__ for case in CORPUS])
def test_every_tampering_is_detected(demo, tamper):
    tamper()
    assert not verify_audit_trail(settings.AUDIT_CHECKPOINT).ok
    with pytest.raises(CommandError):
        call_command("verify_audit", "--checkpoint")


def test_a_rolled_back_head_verifies_alone_but_not_against_the_checkpoint(demo):
    cut_tail_and_roll_back_the_head()
    assert not verify_audit_trail().problem  # the chain alone verifies: why the checkpoint
    assert "events were cut off, or an older database was put back" in str(
        verify_audit_trail(settings.AUDIT_CHECKPOINT)
    )


def test_an_emptied_chain_with_its_head_reset_does_not_verify(demo):
    empty_the_chain_and_reset_the_head()
    assert str(verify_audit_trail()) == (
        "The chain does not verify: the chain head's signature does not match."
    )


def test_a_hazard_edited_in_sql_is_named(demo):
    edit_a_hazard()
    last = AuditEvent.objects.filter(subject_type="hazards.hazard", subject_id=h001().pk).last()
    result = verify_audit_trail()
    assert not result.problem
    assert result.records == (
        f"hazard #{h001().pk} no longer matches audit event #{last.sequence}, the last "
        "recorded change to it: it was changed behind the application's back.",
    )


def test_forged_reviews_and_sign_offs_do_not_count_at_the_gate(demo):
    edit_a_hazard_forge_its_review_and_rewrite_the_sign_off()
    gate = evaluate(release("2.4.0"))
    assert gate.decision.decision != Decision.APPROVED
    assert gate.sign_off is None
    assert "H-001" in {h["reference"] for h in gate.waiting_review}
    records = verify_audit_trail().records
    assert any(r.startswith("hazard review #") and "its seal does not match" in r for r in records)
    assert any(
        r.startswith("sign off #") and "no longer hashes to the hash that was signed" in r
        for r in records
    )


def test_a_block_lifted_in_sql_still_stands(demo):
    lift_a_block()
    assert Block.objects.filter(release=release("2.4.1"), lifted_at__isnull=True).count() == 0
    gate = evaluate(release("2.4.1"))
    assert gate.decision.decision == Decision.BLOCKED


def test_sign_offs_made_through_the_application_are_sealed(demo):
    assert all(s.is_sealed for s in SignOff.objects.all())
    assert SignOff.objects.exists()


def test_compliance_plan_and_risk_acceptance_signatures_rewritten_in_sql_count_for_nothing(demo):
    from clinsafe.deployments.models import Deployment
    from clinsafe.deployments.records import risk_acceptance
    from clinsafe.reports.services import compliance_of, plan_status

    approved = release("2.4.0")
    product = approved.product
    deployment = Deployment.objects.filter(risk_acceptances__isnull=False).first()
    assert compliance_of(approved).signed_current and plan_status(product).current
    assert deployment is not None and risk_acceptance(deployment).current
    rewrite_who_signed_compliance_the_plan_and_a_risk_acceptance()
    assert not compliance_of(approved).signed_current
    status = plan_status(product)
    assert not status.current and "changed outside clinsafe" in status.reasons[0]
    assert not risk_acceptance(deployment).current
