"""Building, editing and putting forward the argument through the services, with named
people: Priya the CSO, Tom a clinical reviewer, Sam an engineer, Helen the executive."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinsafe.argument import services as argument
from clinsafe.argument.assessment import check_release, check_working
from clinsafe.argument.graph import Declaration, Edge, Kind, Link
from clinsafe.audit.models import AuditEvent
from clinsafe.core.errors import StaleEdit
from clinsafe.gate.evaluation import gate_report
from clinsafe.hazards import services as hazards
from clinsafe.products import releases
from tests.conftest import argue_for
from tests.gate.conftest import assessed, review_all, sign_off

pytestmark = pytest.mark.django_db


def revision(product):
    return argument.argument_of(product).revision


def rule(release):
    return next(r for r in gate_report(release)["rules"] if r["code"] == "argument")


def findings(product, name):
    return [f for f in check_working(product).report.findings if f.rule == name]


def test_arguing_over_all_hazards_builds_the_pattern_and_later_only_adds(cso, sam, product):
    first = assessed(product, cso, initial=(3, 3), residual=(3, 2), title="Wrong patient")
    control = hazards.add_control(actor=sam, product=product, hazards=[first], kind="design",
                                  description="Banner with NHS number", status="verified",
                                  verification_evidence="UI tests.")  # fmt: skip
    added = argument.argue_over_all_hazards(actor=sam, product=product)
    assert added == ["G1", "C1", "C2", "S1", "G-H-001", f"Sn-{control.reference}"]
    graph = argument.argument_of(product).graph
    assert graph.node("G-H-001").hazard == "H-001"
    assert graph.node("G-H-001").residual_rating == 2
    assert graph.node("G1").text == "MedsFlow is acceptably safe for its intended use."
    # The CSO's own wording stays when the pattern runs again; only the new hazard is added.
    argument.edit_node(actor=cso, product=product, revision=revision(product), node_id="G1",
                       text="MedsFlow is acceptably safe on adult wards.")  # fmt: skip
    assessed(product, cso, initial=(2, 2), residual=(2, 1), title="Late result")
    assert argument.argue_over_all_hazards(actor=cso, product=product) == ["G-H-002"]
    graph = argument.argument_of(product).graph
    assert graph.node("G1").text == "MedsFlow is acceptably safe on adult wards."
    assert graph.node("G-H-002").declaration == Declaration.UNDEVELOPED  # no verified control
    built = AuditEvent.objects.filter(event_type="argument.built").order_by("sequence")
    assert [e.data["added"] for e in built] == [added, ["G-H-002"]]


def test_a_link_gsn_forbids_or_that_closes_a_circle_is_refused_and_nothing_changes(cso, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    argument.argue_over_all_hazards(actor=cso, product=product)
    before = argument.argument_of(product).document
    with pytest.raises(ValidationError) as forbidden:
        argument.link_nodes(actor=cso, product=product, revision=revision(product),
                            source="S1", target="C1", link="supported by")  # fmt: skip
    assert forbidden.value.message_dict == {
        "link": ["A strategy supported by link must go to a claim, not a context."]
    }
    with pytest.raises(ValidationError, match="would make circular reasoning"):
        argument.link_nodes(actor=cso, product=product, revision=revision(product),
                            source="G-H-001", target="G1", link="supported by")  # fmt: skip
    assert argument.argument_of(product).document == before


def test_an_edit_made_on_an_old_revision_is_refused(cso, tom, product):
    argument.add_node(actor=cso, product=product, revision=revision(product), kind="claim",
                      text="Safe.")  # fmt: skip
    loaded = revision(product)
    argument.edit_node(actor=tom, product=product, revision=loaded, node_id="G1", text="Safe!")
    with pytest.raises(StaleEdit):
        argument.edit_node(actor=cso, product=product, revision=loaded, node_id="G1", text="X")
    assert argument.argument_of(product).graph.node("G1").text == "Safe!"


def test_a_node_is_checked_field_by_field(cso, product):
    with pytest.raises(ValidationError) as refused:
        argument.add_node(actor=cso, product=product, revision=revision(product), kind="claim",
                          text=" ", hazard="H-404", residual_rating=7)  # fmt: skip
    assert refused.value.message_dict == {
        "text": ["Say what the claim states."],
        "hazard": ["H-404 is not a hazard in the log of MedsFlow."],
        "residual_rating": ["A residual rating is a whole number from 1 to 5."],
    }
    with pytest.raises(ValidationError) as evidence:
        argument.add_node(actor=cso, product=product, revision=revision(product),
                          kind="evidence", text="Report")  # fmt: skip
    assert evidence.value.message_dict == {
        "artefact": ["Point the evidence at one artefact version, or at one control's "
                     "verification."]
    }  # fmt: skip


def test_doubts_stay_on_record_and_are_settled_by_clinicians(cso, tom, sam, product):
    argument.add_node(actor=sam, product=product, revision=revision(product), kind="claim",
                      text="Safe.")  # fmt: skip
    doubt = argument.add_node(actor=sam, product=product, revision=revision(product),
                              kind="defeater", text="Never tested at night.",
                              defeater_kind="rebutting")  # fmt: skip
    argument.link_nodes(actor=sam, product=product, revision=revision(product),
                        source=doubt.id, target="G1", link="challenges")  # fmt: skip
    with pytest.raises(ValidationError, match="doubts stay on record"):
        argument.remove_node(actor=cso, product=product, revision=revision(product),
                             node_id=doubt.id)  # fmt: skip
    with pytest.raises(PermissionDenied):
        argument.settle_doubt(actor=sam, product=product, revision=revision(product),
                              node_id=doubt.id, status="sustained")  # fmt: skip
    with pytest.raises(ValidationError, match="Link the claim or evidence that answers D1"):
        argument.settle_doubt(actor=tom, product=product, revision=revision(product),
                              node_id=doubt.id, status="eliminated")  # fmt: skip
    with pytest.raises(PermissionDenied, match="not an appointed Clinical Safety Officer"):
        argument.settle_doubt(actor=tom, product=product, revision=revision(product),
                              node_id=doubt.id, status="accepted as residual",
                              rationale="Rare.")  # fmt: skip
    settled = argument.settle_doubt(actor=cso, product=product, revision=revision(product),
                                    node_id=doubt.id, status="accepted as residual",
                                    rationale="Night use is under 2%; the ward checks "
                                    "cover it.")  # fmt: skip
    assert (settled.status, settled.accepted_by) == ("accepted as residual", "Priya Shah")
    event = AuditEvent.objects.get(event_type="argument.doubt_settled")
    assert event.data["changes"] == {"status": ["open", "accepted as residual"]}
    assert event.reason == "Night use is under 2%; the ward checks cover it."


def test_evidence_turns_stale_when_a_new_release_is_planned(cso, tom, sam, product, release):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    argue_for(release, cso, tom)
    assert findings(product, "stale-evidence") == []
    releases.create_release(actor=sam, product=product, version="2.5.0")
    [stale] = findings(product, "stale-evidence")
    assert stale.message.endswith("applies to release 2.4.0, not 2.5.0.")


def test_evidence_is_suspect_once_its_artefact_changes_after_review(cso, tom, sam, product):
    report = argument.record_artefact(actor=sam, product=product, title="Load test", kind="ci_run")
    version = argument.add_artefact_version(actor=sam, artefact=report, content=b"p95 300ms")
    argument.add_node(actor=cso, product=product, revision=revision(product), kind="claim",
                      text="Fast enough.")  # fmt: skip
    argument.add_node(actor=cso, product=product, revision=revision(product), kind="evidence",
                      text="Load test", artefact="AR-001 v1", parent="G1",
                      link="supported by")  # fmt: skip
    argument.review_artefact_version(actor=tom, version=version)
    assert findings(product, "suspect-evidence") == []
    argument.record_artefact_content(actor=sam, version=version, content=b"p95 900ms")
    [suspect] = findings(product, "suspect-evidence")
    assert suspect.message == (
        "Evidence Sn1 (AR-001 v1, Load test) has changed since Tom Okafor reviewed it."
    )
    argument.review_artefact_version(actor=tom, version=version)
    assert findings(product, "suspect-evidence") == []
    argument.add_artefact_version(actor=sam, artefact=report, sha256="b" * 64)
    assert len(findings(product, "suspect-evidence")) == 1  # a newer version exists


def test_the_gate_waits_for_the_argument_and_is_blocked_by_its_errors(cso, tom, product,
                                                                      release):  # fmt: skip
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    assert rule(release)["outcome"] == "pending"
    assert rule(release)["message"] == (
        "The CSO has not put the safety argument forward for 2.4.0."
    )
    argument.argue_over_all_hazards(actor=cso, product=product)
    argument.put_forward(actor=cso, release=release)
    blocked = rule(release)
    assert blocked["outcome"] == "blocked"
    assert blocked["message"].startswith(
        "The argument put forward for 2.4.0 has 2 errors: Claim G-H-001 (“The residual risk of "
        "H-001 (Dose shown in the wrong unit) is acceptable.”) still needs support in the "
        "argument put forward for the release."
    )
    assert gate_report(release)["decision"] == "blocked"
    argue_for(release, cso, tom)
    assert rule(release)["outcome"] == "passed"
    assert check_release(release).report.errors == []


def test_a_sign_off_covers_the_argument_put_forward(cso, tom, product, release):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    argue_for(release, cso, tom)
    sign_off(cso, release)
    assert gate_report(release)["decision"] == "approved"
    argument.add_node(actor=tom, product=product, revision=revision(product), kind="context",
                      text="Adult wards only.", parent="G1", link="in context of")  # fmt: skip
    assert gate_report(release)["decision"] == "approved"  # the working copy may move on
    argument.put_forward(actor=cso, release=release)
    report = gate_report(release)
    assert report["decision"] == "pending"
    assert report["sign_off"]["stale"] is True


def test_only_the_cso_puts_the_argument_forward_and_never_for_a_closed_release(
    cso, tom, sam, product, release
):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    with pytest.raises(ValidationError, match="has no safety argument yet"):
        argument.put_forward(actor=cso, release=release)
    argument.argue_over_all_hazards(actor=cso, product=product)
    with pytest.raises(PermissionDenied):
        argument.put_forward(actor=tom, release=release)
    releases.withdraw_release(actor=sam, release=release, reason="Superseded.")
    with pytest.raises(ValidationError, match="is withdrawn; what was issued is frozen"):
        argument.put_forward(actor=cso, release=release)


def test_claims_are_checked_against_a_real_hazard_log(cso, tom, sam, product, release):
    from clinsafe.gate import services as gate

    open_ = assessed(product, cso, initial=(3, 3), residual=(3, 2), title="Open")
    controlled = assessed(product, cso, initial=(4, 3), residual=(4, 2), title="Controlled")
    closed = assessed(product, cso, initial=(1, 2), residual=(1, 1), title="Closed")
    hazards.change_hazard_status(actor=tom, hazard=controlled, version=controlled.version,
                                 status="controlled")  # fmt: skip
    argue_for(release, cso, tom)
    hazards.change_hazard_status(actor=tom, hazard=closed, version=closed.version,
                                 status="closed", reason="Feature removed.")  # fmt: skip
    # Rating 3 needs the CSO's acceptance, so the claim that it is acceptable disagrees.
    disagree = findings(product, "residual-disagrees")
    assert [f.node for f in disagree] == ["G-H-002"]
    assert "needs the CSO's current acceptance" in disagree[0].message
    gate.accept_risk(actor=cso, hazard=controlled, password="correct horse battery staple",
                     rationale="ALARP.")  # fmt: skip
    assert findings(product, "residual-disagrees") == []
    hazards.assess_risk(actor=tom, hazard=open_, stage="residual", severity=1, likelihood=1,
                        rationale="Severity lowered by design.")  # fmt: skip
    [changed] = findings(product, "residual-disagrees")
    assert changed.message == (
        "Claim G-H-001 states a residual rating of 2 for H-001; the hazard log rates it 1."
    )
    assert findings(product, "hazard-uncovered") == []  # the closed hazard needs no claim
    hazards.create_hazard(actor=sam, product=product, title="New", description="Found late.")
    [uncovered] = findings(product, "hazard-uncovered")
    assert uncovered.message.startswith("H-004 (New) is in the hazard log")


def test_a_node_added_under_a_parent_is_linked_to_it(cso, product):
    argument.add_node(actor=cso, product=product, revision=revision(product), kind="claim",
                      text="Safe.")  # fmt: skip
    context = argument.add_node(actor=cso, product=product, revision=revision(product),
                                kind="context", text="Wards.", parent="G1",
                                link="in context of")  # fmt: skip
    graph = argument.argument_of(product).graph
    assert context.kind == Kind.CONTEXT
    assert [e for e in graph.edges if e.source == "G1"] == [
        Edge("G1", context.id, Link.IN_CONTEXT_OF)
    ]


def test_an_argument_file_too_large_is_refused_before_it_is_read(cso, product):
    with pytest.raises(ValidationError) as refused:
        argument.import_argument(actor=cso, product=product,
                                 files=[("big.yaml", "G1: {text: A}\n" * 200_000)])  # fmt: skip
    assert refused.value.message_dict == {
        "text": ["An argument's files are limited to 2,000,000 characters."]
    }
    assert argument.argument_of(product).graph.nodes == ()
