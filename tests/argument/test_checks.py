"""Each check of the argument, with an argument that trips it and one that passes. Pure: no
database."""

# ruff: noqa: E501 - the cases read as a table, one per line

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from clinsafe.argument.checks import ArtefactFacts, Facts, HazardFacts, check
from clinsafe.argument.graph import (
    Argument,
    Declaration,
    DefeaterKind,
    DoubtStatus,
    Edge,
    Kind,
    Link,
    Node,
    StrategyKind,
)

S, IN, CH = Link.SUPPORTED_BY, Link.IN_CONTEXT_OF, Link.CHALLENGES
REVIEWED = datetime(2026, 10, 1, tzinfo=UTC)


def node(id_: str, kind: Kind, **fields) -> Node:
    return Node(id_, kind, f"Text of {id_}", **fields)


def graph(nodes: list[Node], edges: list[tuple[str, str, Link]]) -> Argument:
    return Argument(tuple(nodes), tuple(Edge(*e) for e in edges))


def artefact(**fields) -> ArtefactFacts:
    base = ArtefactFacts(title="Test report", release="2.4.0", produced_by="Sam Lee",
                         reviewed_by="Tom Okafor", reviewed_at=REVIEWED)  # fmt: skip
    return replace(base, **fields)


def hazard(reference: str = "H-001", **fields) -> HazardFacts:
    return replace(HazardFacts(reference, "Wrong patient", False, 2), **fields)


def sound() -> tuple[Argument, Facts]:
    """A small argument that passes every check: a top claim over one hazard, argued by a
    strategy down to two pieces of reviewed evidence, with a doubt on each argued node
    eliminated."""
    nodes = [
        node("G1", Kind.CLAIM),
        node("C1", Kind.CONTEXT),
        node("S1", Kind.STRATEGY, strategy_kind=StrategyKind.DECOMPOSITION),
        node("G2", Kind.CLAIM, hazard="H-001", residual_rating=2),
        node("Sn1", Kind.EVIDENCE, artefact="AR-001 v1"),
        node("Sn2", Kind.EVIDENCE, control="C-001"),
        node("D1", Kind.DEFEATER, defeater_kind=DefeaterKind.UNDERCUTTING,
             status=DoubtStatus.ELIMINATED),
        node("D2", Kind.DEFEATER, defeater_kind=DefeaterKind.REBUTTING,
             status=DoubtStatus.ACCEPTED, rationale="Training.", accepted_by="Priya Shah"),
        node("G3", Kind.CLAIM, declaration=Declaration.AXIOMATIC),
    ]  # fmt: skip
    edges = [
        ("G1", "C1", IN), ("G1", "S1", S), ("S1", "G2", S), ("G2", "Sn1", S), ("G2", "Sn2", S),
        ("D1", "S1", CH), ("G3", "D1", CH), ("D2", "G2", CH),
    ]  # fmt: skip
    facts = Facts(
        hazards={"H-001": hazard(), "H-002": hazard("H-002", closed=True)},
        artefacts={"AR-001 v1": artefact()},
        controls={"C-001": "verified"},
        release="2.4.0",
        for_release=True,
    )
    return graph(nodes, edges), facts


def rules(argument: Argument, facts: Facts) -> set[str]:
    return {f.rule for f in check(argument, facts).findings}


def with_node(argument: Argument, new: Node) -> Argument:
    return argument.with_node(new)


def test_the_sound_argument_passes_every_check():
    argument, facts = sound()
    report = check(argument, facts)
    assert report.findings == ()
    assert report.confidence == "1 of 2 doubts eliminated, 1 accepted as residual"


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("link-kind", lambda a: a.with_edge(Edge("S1", "Sn1", S))),  # strategy → evidence
        ("doubt-kind", lambda a: a.with_edge(Edge("D2", "S1", CH))),  # rebutting a strategy
        ("cycle", lambda a: a.with_edge(Edge("G2", "G1", S))),
        ("top-claim", lambda a: a.with_node(node("G9", Kind.CLAIM, declaration=Declaration.AXIOMATIC))),
        ("unreachable", lambda a: a.with_node(node("C9", Kind.CONTEXT))),
        ("leaf-children", lambda a: a.with_edge(Edge("Sn1", "C1", IN))),
        ("strategy-claim", lambda a: a.without_edge(Edge("S1", "G2", S)).with_edge(Edge("G1", "G2", S))),
        ("unsupported-claim", lambda a: a.with_node(node("G4", Kind.CLAIM)).with_edge(Edge("S1", "G4", S))),
        ("undeveloped", lambda a: a.with_node(node("G4", Kind.CLAIM, declaration=Declaration.UNDEVELOPED)).with_edge(Edge("S1", "G4", S))),
        ("open-doubt", lambda a: a.with_node(node("D3", Kind.DEFEATER, defeater_kind=DefeaterKind.REBUTTING, status=DoubtStatus.OPEN)).with_edge(Edge("D3", "G2", CH))),
        ("open-doubt", lambda a: a.with_node(replace(a.node("D1"), status=DoubtStatus.SUSTAINED))),
        ("eliminated-unanswered", lambda a: a.without_edge(Edge("G3", "D1", CH))),
        ("unknown-hazard", lambda a: a.with_node(replace(a.node("G2"), hazard="H-099"))),
        ("residual-disagrees", lambda a: a.with_node(replace(a.node("G2"), residual_rating=1))),
        ("evidence-missing", lambda a: a.with_node(replace(a.node("Sn1"), artefact="AR-009 v1"))),
        ("evidence-missing", lambda a: a.with_node(replace(a.node("Sn2"), control="C-404"))),
        ("no-doubts", lambda a: a.without_edge(Edge("D2", "G2", CH))),
        ("single-evidence", lambda a: a.without_edge(Edge("G2", "Sn2", S)).without_node("Sn2")),
    ],
)  # fmt: skip
def test_each_shape_check_trips_on_an_argument_that_breaks_it(rule, change):
    argument, facts = sound()
    assert rule in rules(change(argument), facts)


@pytest.mark.parametrize(
    ("rule", "facts_change"),
    [
        ("hazard-uncovered", lambda f: replace(f, hazards={**f.hazards, "H-003": hazard("H-003")})),
        ("residual-disagrees", lambda f: replace(f, hazards={"H-001": hazard(acceptance_gap="(rating 3) needs the CSO's current acceptance")})),
        ("stale-evidence", lambda f: replace(f, release="2.5.0")),
        ("suspect-evidence", lambda f: replace(f, artefacts={"AR-001 v1": artefact(changed_after_review=True)})),
        ("expired-evidence", lambda f: replace(f, artefacts={"AR-001 v1": artefact(expired=True)})),
        ("self-reviewed", lambda f: replace(f, artefacts={"AR-001 v1": artefact(reviewed_by="Sam Lee")})),
        ("unreviewed-evidence", lambda f: replace(f, artefacts={"AR-001 v1": artefact(reviewed_by="", reviewed_at=None)})),
        ("incident-after-review", lambda f: replace(f, hazards={"H-001": hazard(incidents=(datetime(2026, 11, 1, tzinfo=UTC),))})),
        ("evidence-missing", lambda f: replace(f, controls={"C-001": "implemented"})),
    ],
)  # fmt: skip
def test_each_record_check_trips_when_the_records_disagree(rule, facts_change):
    argument, facts = sound()
    assert rule in rules(argument, facts_change(facts))


def test_the_hazard_log_checks_read_open_controlled_and_closed_hazards():
    argument, facts = sound()
    log = {
        "H-001": hazard(),  # argued for, fully developed
        "H-002": hazard("H-002", closed=True),  # closed: needs no claim
        "H-003": hazard("H-003", title="Dose in the wrong unit"),  # open, no claim
        "H-004": hazard("H-004", residual_rating=3),  # controlled, its claim needs support
    }
    argument = argument.with_node(
        node("G4", Kind.CLAIM, hazard="H-004", declaration=Declaration.UNDEVELOPED)
    ).with_edge(Edge("S1", "G4", S))
    found = [f for f in check(argument, replace(facts, hazards=log)).findings
             if f.rule == "hazard-uncovered"]  # fmt: skip
    assert [(f.node, f.message) for f in found] == [
        ("", "H-003 (Dose in the wrong unit) is in the hazard log but no fully developed claim "
             "addresses it."),
        ("G4", "H-004 (Wrong patient) is in the hazard log but no fully developed claim "
               "addresses it (G4 still need support)."),
    ]  # fmt: skip


def test_a_reuse_claim_keeps_evidence_of_an_earlier_release_current():
    argument, facts = sound()
    facts = replace(facts, release="2.5.0")
    assert "stale-evidence" in rules(argument, facts)
    reuse = argument.with_node(replace(argument.node("G2"), reuse=True))
    assert "stale-evidence" not in rules(reuse, facts)


def test_needing_support_is_an_error_only_in_a_releases_argument():
    argument, facts = sound()
    argument = argument.with_node(
        node("G4", Kind.CLAIM, declaration=Declaration.UNDEVELOPED)
    ).with_edge(Edge("S1", "G4", S))
    [working] = [f for f in check(argument, replace(facts, for_release=False)).findings
                 if f.rule == "undeveloped"]  # fmt: skip
    [release] = [f for f in check(argument, facts).findings if f.rule == "undeveloped"]
    assert (working.severity, release.severity) == ("warning", "error")


def test_each_finding_names_the_rule_the_node_and_what_to_do():
    argument, facts = sound()
    broken = argument.with_node(replace(argument.node("G2"), residual_rating=1))
    [finding] = check(broken, facts).findings
    assert finding.rule == "residual-disagrees"
    assert finding.node == "G2"
    assert finding.message == (
        "Claim G2 states a residual rating of 1 for H-001; the hazard log rates it 2."
    )
    assert finding.action == "Correct the claim, or re-assess the hazard if the claim is right."


def test_an_empty_argument_has_no_top_claim_and_leaves_every_hazard_uncovered():
    report = check(Argument(), Facts(hazards={"H-001": hazard()}))
    assert [f.rule for f in report.errors] == ["top-claim", "hazard-uncovered"]
    assert report.confidence == "0 of 0 doubts eliminated"
