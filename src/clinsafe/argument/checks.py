"""The checks that make a safety argument falsifiable: its shape as GSN allows, and whether it
agrees with the hazard log, its evidence exists, is current and belongs to the release.

Pure Python, no Django: plain facts about the hazard log and the evidence in, findings out.
Errors block the release gate; warnings are shown to the CSO. Confidence is reported as
"n of m doubts eliminated", never as one invented number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from clinsafe.argument.graph import (
    DOUBT_TARGETS,
    LEAVES,
    Argument,
    Declaration,
    DoubtStatus,
    Kind,
    Link,
    Node,
    either,
    link_ends,
    link_problem,
)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class HazardFacts:
    reference: str
    title: str
    closed: bool
    residual_rating: int | None
    # Why the residual risk is not accepted at the level the policy asks; "" when it is.
    acceptance_gap: str = ""
    incidents: tuple[datetime, ...] = ()  # when incidents were linked to the hazard


@dataclass(frozen=True)
class ArtefactFacts:
    """One version of an artefact that evidence points at."""

    title: str
    release: str  # the release it applies to; "" for any
    produced_by: str
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    changed_after_review: bool = False
    expired: bool = False


@dataclass(frozen=True)
class Facts:
    hazards: dict[str, HazardFacts] = field(default_factory=dict)  # by reference
    artefacts: dict[str, ArtefactFacts] = field(default_factory=dict)  # by "AR-003 v2"
    controls: dict[str, str] = field(default_factory=dict)  # reference -> status
    release: str = ""  # the release the argument is checked for; "" for none
    for_release: bool = False  # a release's snapshot: nothing may be left undeveloped
    # False for a file checked on its own, away from any hazard log or evidence records:
    # the checks that read them are left out.
    records: bool = True


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    node: str  # "" for the argument as a whole
    message: str
    action: str  # what to do about it

    @property
    def title(self) -> str:
        """The check in words (the rule's code is for programs)."""
        return RULES[self.rule].title


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    doubts: int  # doubts under the top claim
    eliminated: int
    accepted: int  # carried as residual by the CSO

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def confidence(self) -> str:
        text = f"{self.eliminated} of {self.doubts} doubts eliminated"
        return text + (f", {self.accepted} accepted as residual" if self.accepted else "")

    def for_node(self, node_id: str) -> list[Finding]:
        return [f for f in self.findings if f.node == node_id]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    # Why clinsafe asks more here than the GSN Community Standard v3 does, or "" where it
    # asks what GSN asks.
    beyond_gsn: str = ""


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("link-kind", Severity.ERROR, "Links join only the kinds GSN allows"),
        Rule("doubt-kind", Severity.ERROR, "A doubt attacks what its kind may attack"),
        Rule("cycle", Severity.ERROR, "No circular reasoning"),
        Rule("top-claim", Severity.ERROR, "Exactly one top claim",
             "a safety case argues one thing, so one top claim"),
        Rule("unreachable", Severity.ERROR, "Every node belongs to the argument",
             "GSN lets a node, e.g. a context nothing refers to, stand apart"),
        Rule("leaf-children", Severity.ERROR, "Evidence, context, assumptions and "
             "justifications have no children"),
        Rule("strategy-claim", Severity.ERROR, "Every strategy leads to a claim"),
        Rule("unsupported-claim", Severity.ERROR, "Every claim is supported or marked as "
             "needing support", "GSN reads an unmarked, unsupported claim as undeveloped"),
        Rule("undeveloped", Severity.ERROR, "Nothing needs support in a release's argument"),
        Rule("open-doubt", Severity.ERROR, "No open or sustained doubt under the top claim",
             "GSN records a challenge; a release may not go out under an unanswered one"),
        Rule("eliminated-unanswered", Severity.ERROR, "An eliminated doubt is answered"),
        Rule("hazard-uncovered", Severity.ERROR, "Every hazard is addressed by a fully "
             "developed claim"),
        Rule("unknown-hazard", Severity.ERROR, "Hazard claims name hazards in the log"),
        Rule("residual-disagrees", Severity.ERROR, "Claims about residual risk agree with the "
             "hazard log"),
        Rule("evidence-missing", Severity.ERROR, "Evidence exists"),
        Rule("stale-evidence", Severity.ERROR, "Evidence belongs to the release"),
        Rule("suspect-evidence", Severity.ERROR, "Evidence has not changed since it was "
             "reviewed"),
        Rule("expired-evidence", Severity.ERROR, "Evidence is still valid"),
        Rule("self-reviewed", Severity.WARNING, "Evidence is reviewed by someone other than "
             "its producer"),
        Rule("unreviewed-evidence", Severity.WARNING, "Evidence is reviewed"),
        Rule("single-evidence", Severity.WARNING, "A hazard claim rests on more than one piece "
             "of evidence"),
        Rule("no-doubts", Severity.WARNING, "Strategies and hazard claims have been doubted"),
        Rule("incident-after-review", Severity.WARNING, "No incident since the evidence was "
             "reviewed"),
    )
}  # fmt: skip


def check(argument: Argument, facts: Facts) -> Report:
    """Every finding about ``argument`` against the records in ``facts``."""
    graph = _Graph(argument, facts)
    checks = CHECKS if facts.records else tuple(c for c in CHECKS if c not in RECORD_CHECKS)
    findings = [f for check_ in checks for f in check_(graph)]
    doubts = [n for n in argument.of_kind(Kind.DEFEATER) if n.id in graph.reachable]
    return Report(
        findings=tuple(findings),
        doubts=len(doubts),
        eliminated=sum(d.status == DoubtStatus.ELIMINATED for d in doubts),
        accepted=sum(d.status == DoubtStatus.ACCEPTED for d in doubts),
    )


class _Graph:
    """The argument with what several checks share worked out once."""

    def __init__(self, argument: Argument, facts: Facts) -> None:
        self.argument, self.facts = argument, facts
        self.out: dict[str, list[tuple[Link, Node]]] = {n.id: [] for n in argument.nodes}
        self.into: dict[str, list[tuple[Link, Node]]] = {n.id: [] for n in argument.nodes}
        for e in argument.edges:
            if e.source in argument.by_id and e.target in argument.by_id:
                self.out[e.source].append((e.link, argument.by_id[e.target]))
                self.into[e.target].append((e.link, argument.by_id[e.source]))
        # Doubts about a link, by the node the link starts from.
        self.link_doubts: dict[str, list[Node]] = {}
        for n in argument.nodes:
            for relation in n.relations:
                source = link_ends(relation)[0]
                self.link_doubts.setdefault(source, []).append(n)
        self.tops = [
            n
            for n in argument.of_kind(Kind.CLAIM)
            if not self.sources(n, Link.SUPPORTED_BY)
            and not self.targets(n, Link.CHALLENGES)
            and not n.relations
        ]
        self.reachable = self._reachable()
        self._developed: dict[str, bool] = {}

    def targets(self, node: Node, link: Link) -> list[Node]:
        return [n for lk, n in self.out[node.id] if lk == link]

    def sources(self, node: Node, link: Link) -> list[Node]:
        return [n for lk, n in self.into[node.id] if lk == link]

    def _reachable(self) -> set[str]:
        """Nodes under the top claims: what they are supported by and argued in the context
        of, the doubts that challenge those, and the answers that challenge the doubts."""
        seen = {n.id for n in self.tops}
        todo = list(self.tops)
        while todo:
            node = todo.pop()
            near = [n for lk, n in self.out[node.id] if lk != Link.CHALLENGES]
            near += [n for lk, n in self.into[node.id] if lk == Link.CHALLENGES]
            near += self.link_doubts.get(node.id, [])
            for n in near:
                if n.id not in seen:
                    seen.add(n.id)
                    todo.append(n)
        return seen

    def support(self, node: Node) -> Iterator[Node]:
        """Everything ``node`` rests on, through supported-by links (each once)."""
        seen = {node.id}
        todo = [node]
        while todo:
            for child in self.targets(todo.pop(), Link.SUPPORTED_BY):
                if child.id not in seen:
                    seen.add(child.id)
                    todo.append(child)
                    yield child

    def developed(self, node: Node) -> bool:
        """A claim argued all the way down: supported, and so is everything it rests on."""
        if node.id not in self._developed:
            self._developed[node.id] = False  # a cycle never counts as developed
            self._developed[node.id] = self._is_developed(node)
        return self._developed[node.id]

    def _is_developed(self, node: Node) -> bool:
        if node.kind == Kind.EVIDENCE:
            return True
        if node.kind == Kind.CLAIM and node.declaration in (
            Declaration.ASSUMED,
            Declaration.AXIOMATIC,
        ):
            return True
        if node.kind == Kind.CLAIM and node.declaration == Declaration.UNDEVELOPED:
            return False
        children = self.targets(node, Link.SUPPORTED_BY)
        if node.kind == Kind.STRATEGY and not any(c.kind == Kind.CLAIM for c in children):
            return False
        return bool(children) and all(self.developed(c) for c in children)

    def evidence_of(self, node: Node) -> list[Node]:
        return [n for n in self.support(node) if n.kind == Kind.EVIDENCE]


def _finding(rule: str, node: str, message: str, action: str, *,
             severity: Severity | None = None) -> Finding:  # fmt: skip
    beyond = RULES[rule].beyond_gsn
    if beyond:
        action = f"{action} (clinsafe asks more than GSN here: {beyond}.)"
    return Finding(rule, severity or RULES[rule].severity, node, message, action)


# --- shape -------------------------------------------------------------------------------------


def _links(g: _Graph) -> Iterator[Finding]:
    for e in g.argument.edges:
        source, target = g.argument.by_id.get(e.source), g.argument.by_id.get(e.target)
        if source is None or target is None:
            continue
        if source.kind in LEAVES and e.link != Link.CHALLENGES:
            continue  # a leaf with children is its own finding
        problem = link_problem(source, target, e.link)
        if problem:
            yield _finding(
                "link-kind",
                source.id,
                f"{source.id} {e.link} {target.id}: {problem}",
                f"Remove the link, or change the kind of {source.id} or {target.id}.",
            )
        elif source.kind == Kind.DEFEATER and source.defeater_kind is not None:
            allowed = DOUBT_TARGETS[source.defeater_kind]
            if target.kind not in allowed:
                kinds = either(allowed)
                yield _finding(
                    "doubt-kind",
                    source.id,
                    f"{source.id} is a {source.defeater_kind} doubt, which attacks a {kinds}, "
                    f"but it challenges {target.kind} {target.id}.",
                    "Change the kind of doubt or what it challenges.",
                )


def _cycles(g: _Graph) -> Iterator[Finding]:
    """Strongly connected groups of nodes (Tarjan, without recursion): each is a circle of
    reasoning."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in g.argument.nodes:
        if root.id in index:
            continue
        work = [(root.id, iter(g.out[root.id]))]
        index[root.id] = low[root.id] = counter
        counter += 1
        stack.append(root.id)
        on_stack.add(root.id)
        while work:
            node_id, children = work[-1]
            advanced = False
            for _, child in children:
                if child.id not in index:
                    index[child.id] = low[child.id] = counter
                    counter += 1
                    stack.append(child.id)
                    on_stack.add(child.id)
                    work.append((child.id, iter(g.out[child.id])))
                    advanced = True
                    break
                if child.id in on_stack:
                    low[node_id] = min(low[node_id], index[child.id])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node_id])
            if low[node_id] == index[node_id]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node_id:
                        break
                looped = len(group) > 1 or any(c.id == node_id for _, c in g.out[node_id])
                if looped:
                    circle = " → ".join(sorted(group))
                    yield _finding(
                        "cycle",
                        sorted(group)[0],
                        f"Circular reasoning: {circle} rest on each other.",
                        "Remove a link so that no node supports itself.",
                    )


def _top_claim(g: _Graph) -> Iterator[Finding]:
    if len(g.tops) == 1:
        return
    if not g.tops:
        yield _finding(
            "top-claim",
            "",
            "The argument has no top claim.",
            "Add the claim the whole argument supports, e.g. that the product is acceptably "
            "safe for its intended use ('Argue over all hazards' adds one).",
        )
    else:
        names = ", ".join(n.id for n in g.tops)
        yield _finding(
            "top-claim",
            g.tops[1].id,
            f"The argument has {len(g.tops)} top claims ({names}); it must have exactly one.",
            "Link all but one of them under the top claim, or remove them.",
        )


def _unreachable(g: _Graph) -> Iterator[Finding]:
    if not g.tops:
        return
    for node in g.argument.nodes:
        if node.id not in g.reachable:
            yield _finding(
                "unreachable",
                node.id,
                f"{node.id} is not connected to the top claim.",
                f"Link {node.id} into the argument, or remove it.",
            )


def _leaf_children(g: _Graph) -> Iterator[Finding]:
    for node in g.argument.of_kind(*LEAVES):
        children = [n.id for lk, n in g.out[node.id] if lk != Link.CHALLENGES]
        if children:
            yield _finding(
                "leaf-children",
                node.id,
                f"{node.kind.capitalize()} {node.id} has children ({', '.join(children)}); "
                f"a {node.kind} ends a line of argument.",
                f"Link {', '.join(children)} from a claim or strategy instead.",
            )


def _strategies(g: _Graph) -> Iterator[Finding]:
    for node in g.argument.of_kind(Kind.STRATEGY):
        if not any(c.kind == Kind.CLAIM for c in g.targets(node, Link.SUPPORTED_BY)):
            yield _finding(
                "strategy-claim",
                node.id,
                f"Strategy {node.id} leads to no claim.",
                "Add the claims the strategy breaks its parent claim into.",
            )


def _claims(g: _Graph) -> Iterator[Finding]:
    for node in g.argument.of_kind(Kind.CLAIM):
        supported = bool(g.targets(node, Link.SUPPORTED_BY))
        if node.declaration == Declaration.ASSERTED and not supported:
            yield _finding(
                "unsupported-claim",
                node.id,
                f"Claim {node.id} is asserted with nothing supporting it.",
                "Support it with evidence, a strategy or sub-claims, or mark it as needing "
                "support.",
            )
        elif node.declaration == Declaration.UNDEVELOPED:
            yield _finding(
                "undeveloped",
                node.id,
                f"Claim {node.id} still needs support"
                + (" in the argument put forward for the release." if g.facts.for_release else "."),
                "Develop it: support it with evidence, a strategy or sub-claims.",
                severity=Severity.ERROR if g.facts.for_release else Severity.WARNING,
            )


# --- doubts ------------------------------------------------------------------------------------


def _doubts(g: _Graph) -> Iterator[Finding]:
    for node in g.argument.of_kind(Kind.DEFEATER):
        answers = g.sources(node, Link.CHALLENGES)
        attacked = ", ".join([*(n.id for n in g.targets(node, Link.CHALLENGES)),
                              *(f"the link {r}" for r in node.relations)]) or "nothing"  # fmt: skip
        if node.status == DoubtStatus.ELIMINATED and not answers:
            yield _finding(
                "eliminated-unanswered",
                node.id,
                f"Doubt {node.id} is marked eliminated, but no claim or evidence answers it.",
                f"Link the claim or evidence that eliminates {node.id}, or reopen it.",
            )
        if node.id in g.reachable and node.status in (
            None,
            DoubtStatus.OPEN,
            DoubtStatus.SUSTAINED,
        ):
            state = "sustained" if node.status == DoubtStatus.SUSTAINED else "open"
            yield _finding(
                "open-doubt",
                node.id,
                f"Doubt {node.id} about {attacked} is {state}.",
                "Eliminate it with a claim or evidence that answers it, change the argument it "
                "defeats, or, as CSO, accept it as residual with a rationale.",
            )
    # Counter-evidence: evidence that challenges a claim or another part of the argument
    # (not a doubt, which evidence answers) stands until something challenges it in turn.
    for node in g.argument.of_kind(Kind.EVIDENCE):
        rebutted = [n for n in g.targets(node, Link.CHALLENGES) if n.kind != Kind.DEFEATER]
        if rebutted and node.id in g.reachable and not g.sources(node, Link.CHALLENGES):
            yield _finding(
                "open-doubt",
                node.id,
                f"Counter-evidence {node.id} challenges {', '.join(n.id for n in rebutted)}, "
                "and nothing answers it.",
                "Answer it with a claim or evidence that challenges it, or change the argument "
                "it defeats.",
            )


# --- the hazard log ----------------------------------------------------------------------------


def _hazards(g: _Graph) -> Iterator[Finding]:
    claims = [n for n in g.argument.of_kind(Kind.CLAIM) if n.hazard and n.id in g.reachable]
    for hazard in g.facts.hazards.values():
        if hazard.closed:
            continue
        mine = [c for c in claims if c.hazard == hazard.reference]
        if not any(g.developed(c) for c in mine):
            why = f" ({', '.join(c.id for c in mine)} still need support)" if mine else ""
            yield _finding(
                "hazard-uncovered",
                mine[0].id if mine else "",
                f"{hazard.reference} ({hazard.title}) is in the hazard log but no fully "
                f"developed claim addresses it{why}.",
                f"Argue that the residual risk of {hazard.reference} is acceptable, down to "
                "evidence ('Argue over all hazards' adds the claim).",
            )
    for claim in claims:
        logged = g.facts.hazards.get(claim.hazard)
        if logged is None:
            yield _finding(
                "unknown-hazard",
                claim.id,
                f"Claim {claim.id} addresses {claim.hazard}, which is not in the hazard log.",
                "Point the claim at a hazard in the log, or remove it.",
            )
            continue
        if claim.residual_rating is not None and claim.residual_rating != logged.residual_rating:
            says = (
                f"rates it {logged.residual_rating}"
                if logged.residual_rating is not None
                else "has no residual estimate for it"
            )
            yield _finding(
                "residual-disagrees",
                claim.id,
                f"Claim {claim.id} states a residual rating of {claim.residual_rating} for "
                f"{logged.reference}; the hazard log {says}.",
                "Correct the claim, or re-assess the hazard if the claim is right.",
            )
        if logged.acceptance_gap and not logged.closed:
            yield _finding(
                "residual-disagrees",
                claim.id,
                f"Claim {claim.id} argues the residual risk of {logged.reference} is "
                f"acceptable, but the hazard log says otherwise: {logged.acceptance_gap}",
                "Have the risk accepted at its level, or change the claim.",
            )


# --- evidence ----------------------------------------------------------------------------------


def _evidence(g: _Graph) -> Iterator[Finding]:
    for node in g.argument.of_kind(Kind.EVIDENCE):
        if node.control:
            status = g.facts.controls.get(node.control)
            if status != "verified":
                state = "not in the log" if status is None else status
                yield _finding(
                    "evidence-missing",
                    node.id,
                    f"Evidence {node.id} cites the verification of {node.control}, which is "
                    f"{state}.",
                    f"Verify {node.control} and record its evidence, or cite another artefact.",
                )
            continue
        if not node.artefact:
            yield _finding(
                "evidence-missing",
                node.id,
                f"Evidence {node.id} points at no artefact.",
                "Point it at the version of the report, review or analysis it stands for.",
            )
            continue
        artefact = g.facts.artefacts.get(node.artefact)
        if artefact is None:
            yield _finding(
                "evidence-missing",
                node.id,
                f"Evidence {node.id} points at {node.artefact}, which is not recorded.",
                "Record the artefact version, or point at one that is.",
            )
            continue
        yield from _artefact(g, node, artefact)


def _artefact(g: _Graph, node: Node, artefact: ArtefactFacts) -> Iterator[Finding]:
    named = f"Evidence {node.id} ({node.artefact}, {artefact.title})"
    release = g.facts.release
    reused = any(p.reuse for p in g.sources(node, Link.SUPPORTED_BY))
    if release and artefact.release and artefact.release != release and not reused:
        yield _finding(
            "stale-evidence",
            node.id,
            f"{named} applies to release {artefact.release}, not {release}.",
            f"Record the artefact's version for {release}, or support it from a claim that "
            "argues why the earlier evidence still holds (a reuse claim).",
        )
    if artefact.changed_after_review:
        yield _finding(
            "suspect-evidence",
            node.id,
            f"{named} has changed since {artefact.reviewed_by} reviewed it.",
            "Review the artefact as it is now.",
        )
    if artefact.expired:
        yield _finding(
            "expired-evidence",
            node.id,
            f"{named} is past its valid-until date.",
            "Renew the evidence: record a current version.",
        )
    if not artefact.reviewed_by:
        yield _finding(
            "unreviewed-evidence",
            node.id,
            f"{named} has not been reviewed.",
            "Have someone other than its producer review it.",
        )
    elif artefact.reviewed_by == artefact.produced_by:
        yield _finding(
            "self-reviewed",
            node.id,
            f"{named} was reviewed by its own producer, {artefact.produced_by}.",
            "Have someone independent of its production review it.",
        )


# --- prompts against confirmation bias ---------------------------------------------------------


def _hazard_claim_evidence(g: _Graph) -> Iterator[Finding]:
    for claim in g.argument.of_kind(Kind.CLAIM):
        if not claim.hazard or claim.id not in g.reachable:
            continue
        evidence = g.evidence_of(claim)
        if len(evidence) == 1:
            yield _finding(
                "single-evidence",
                claim.id,
                f"Claim {claim.id} about {claim.hazard} rests on a single piece of evidence "
                f"({evidence[0].id}).",
                "Look for independent evidence, e.g. testing and a clinical review.",
            )
        hazard = g.facts.hazards.get(claim.hazard)
        reviews = [
            a.reviewed_at
            for n in evidence
            if (a := g.facts.artefacts.get(n.artefact)) is not None and a.reviewed_at
        ]
        if hazard and reviews and any(i > min(reviews) for i in hazard.incidents):
            yield _finding(
                "incident-after-review",
                claim.id,
                f"An incident was linked to {claim.hazard} after the evidence for {claim.id} "
                "was reviewed.",
                "Review the evidence in the light of the incident.",
            )


def _never_doubted(g: _Graph) -> Iterator[Finding]:
    for node in g.argument.nodes:
        argued = node.kind == Kind.STRATEGY or (node.kind == Kind.CLAIM and node.hazard)
        if argued and node.id in g.reachable and not g.sources(node, Link.CHALLENGES):
            yield _finding(
                "no-doubts",
                node.id,
                f"No doubt has ever been recorded against {node.kind} {node.id}.",
                "Ask what would make it false, and record that as a defeater to answer.",
            )


def spelt_out(message: str, argument: Argument) -> str:
    """``message`` for a reader who does not have the diagram in front of them: each node
    named in it is followed, the first time, by the start of its text."""
    seen: set[str] = set()

    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        node = argument.by_id.get(word)
        if node is None or word in seen:
            return word
        seen.add(word)
        text = " ".join(node.text.split())
        if len(text) > 80:
            text = text[:80].rsplit(" ", 1)[0] + "…"
        return f"{word} (“{text}”)"

    return _WORD.sub(name, message)


_WORD = re.compile(r"\w[\w-]*\w|\w")  # a node id is one such word: G1, Sn12, G-H-011


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


CHECKS: tuple[Callable[[_Graph], Iterator[Finding]], ...] = (
    _links,
    _cycles,
    _top_claim,
    _unreachable,
    _leaf_children,
    _strategies,
    _claims,
    _doubts,
    _hazards,
    _evidence,
    _hazard_claim_evidence,
    _never_doubted,
)
RECORD_CHECKS = (_hazards, _evidence)  # against the hazard log and the evidence recorded
