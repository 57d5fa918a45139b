"""A safety argument as a graph, in the terms of the GSN Community Standard v3 with its
dialectic extension: claims, strategies, evidence, context, assumptions, justifications and
defeaters (doubts), joined by supported-by, in-context-of and challenges links.

Pure Python, no Django. The argument is stored as the plain document `to_document` gives,
so a release's snapshot is a copy of it, and checks, diagram and YAML all read the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    CLAIM = "claim"
    STRATEGY = "strategy"
    EVIDENCE = "evidence"
    CONTEXT = "context"
    ASSUMPTION = "assumption"
    JUSTIFICATION = "justification"
    DEFEATER = "defeater"

    @property
    def label(self) -> str:
        return "Defeater (doubt)" if self is Kind.DEFEATER else self.value.capitalize()


class Declaration(StrEnum):
    """How a claim stands: argued for, still to be argued, or taken as given."""

    ASSERTED = "asserted"
    UNDEVELOPED = "undeveloped"  # needs support
    ASSUMED = "assumed"
    AXIOMATIC = "axiomatic"


class StrategyKind(StrEnum):
    DECOMPOSITION = "decomposition"
    SUBSTITUTION = "substitution"
    CONCRETION = "concretion"
    CALCULATION = "calculation"
    EVIDENCE_INCORPORATION = "evidence incorporation"


class DefeaterKind(StrEnum):
    REBUTTING = "rebutting"  # attacks a claim
    UNDERMINING = "undermining"  # attacks evidence, context, an assumption or justification
    UNDERCUTTING = "undercutting"  # attacks a strategy's inference


class DoubtStatus(StrEnum):
    OPEN = "open"
    ELIMINATED = "eliminated"  # answered by the claims or evidence that challenge it
    SUSTAINED = "sustained"  # the doubt holds
    ACCEPTED = "accepted as residual"  # the CSO carries it, with a rationale


class Link(StrEnum):
    SUPPORTED_BY = "supported by"
    IN_CONTEXT_OF = "in context of"
    CHALLENGES = "challenges"


# Which kinds each link may join, as GSN v3 and its dialectic extension allow. A claim or
# evidence that challenges a defeater is the counter-argument that eliminates it; a defeater
# (a counter-claim) may itself be argued for, and evidence (a counter-solution) may challenge
# a claim directly.
ALLOWED_LINKS: dict[Link, dict[Kind, frozenset[Kind]]] = {
    Link.SUPPORTED_BY: {
        Kind.CLAIM: frozenset({Kind.CLAIM, Kind.STRATEGY, Kind.EVIDENCE}),
        Kind.STRATEGY: frozenset({Kind.CLAIM}),
        Kind.DEFEATER: frozenset({Kind.CLAIM, Kind.STRATEGY, Kind.EVIDENCE}),
    },
    Link.IN_CONTEXT_OF: {
        Kind.CLAIM: frozenset({Kind.CONTEXT, Kind.ASSUMPTION, Kind.JUSTIFICATION}),
        Kind.STRATEGY: frozenset({Kind.CONTEXT, Kind.ASSUMPTION, Kind.JUSTIFICATION}),
    },
    Link.CHALLENGES: {
        Kind.DEFEATER: frozenset(set(Kind) - {Kind.DEFEATER}),
        Kind.CLAIM: frozenset({Kind.DEFEATER}),
        Kind.EVIDENCE: frozenset({Kind.DEFEATER, Kind.CLAIM}),
    },
}

# What each kind of doubt may attack.
DOUBT_TARGETS: dict[DefeaterKind, frozenset[Kind]] = {
    DefeaterKind.REBUTTING: frozenset({Kind.CLAIM}),
    DefeaterKind.UNDERMINING: frozenset(
        {Kind.EVIDENCE, Kind.CONTEXT, Kind.ASSUMPTION, Kind.JUSTIFICATION}
    ),
    DefeaterKind.UNDERCUTTING: frozenset({Kind.STRATEGY}),
}

# Nodes that end a line of argument: they may be linked to, never from (except that
# evidence may challenge a doubt).
LEAVES = frozenset({Kind.EVIDENCE, Kind.CONTEXT, Kind.ASSUMPTION, Kind.JUSTIFICATION})

# Identifier prefixes, as gsn2x reads them from an identifier.
PREFIXES: dict[Kind, str] = {
    Kind.CLAIM: "G",
    Kind.STRATEGY: "S",
    Kind.EVIDENCE: "Sn",
    Kind.CONTEXT: "C",
    Kind.ASSUMPTION: "A",
    Kind.JUSTIFICATION: "J",
    Kind.DEFEATER: "D",
}
# Any text is an id, as GSN and gsn2x read them (Unicode, shown as written), within reason.
IDENTIFIER = re.compile(r"^(?=.*\S)[^\x00-\x1f\x7f]{1,200}$")
ARTEFACT_VERSION = re.compile(r"^AR-(\d{3,}) v(\d+)$")
HAZARD = re.compile(r"^H-\d{3,}$")
CONTROL = re.compile(r"^C-\d{3,}$")
MAX_TEXT = 4000


@dataclass(frozen=True)
class Node:
    id: str
    kind: Kind
    text: str
    # claims
    declaration: Declaration = Declaration.ASSERTED
    hazard: str = ""  # the hazard whose residual risk the claim addresses, e.g. H-003
    residual_rating: int | None = None  # the residual rating the claim states
    reuse: bool = False  # argues that evidence of another release still holds
    # strategies
    strategy_kind: StrategyKind | None = None
    side_condition: str = ""  # why the child claims suffice
    # defeaters
    defeater_kind: DefeaterKind | None = None
    status: DoubtStatus | None = None
    rationale: str = ""  # why a doubt is carried as residual
    accepted_by: str = ""  # the CSO who accepted it
    # evidence: an artefact version ("AR-003 v2") or a control's verification ("C-004")
    artefact: str = ""
    control: str = ""
    # defeaters: the links it challenges rather than nodes, each as "G1 -> S1"
    relations: tuple[str, ...] = ()
    # The module (file) it was read from, for an argument kept in several
    module: str = ""
    # What a gsn2x file gives that clinsafe does not use (layout, assurance claim points,
    # free attributes), kept as read so an export writes it back.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    link: Link


@dataclass(frozen=True)
class Argument:
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()
    by_id: dict[str, Node] = field(default_factory=dict, compare=False, repr=False)
    # The gsn2x module header it was read with (name, brief, uses, …), written back on export;
    # for one read from several files, each file's header by file (its nodes name the file).
    header: dict[str, Any] = field(default_factory=dict, compare=False)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {n.id: n for n in self.nodes})

    def node(self, node_id: str) -> Node:
        try:
            return self.by_id[node_id]
        except KeyError:
            raise KeyError(f"The argument has no node {node_id}.") from None

    def parents(self, node_id: str, *links: Link) -> list[Node]:
        return [self.by_id[e.source] for e in self.edges if e.target == node_id and e.link in links]

    def of_kind(self, *kinds: Kind) -> Iterator[Node]:
        return (n for n in self.nodes if n.kind in kinds)

    def next_id(self, kind: Kind) -> str:
        """The next free identifier for a node of ``kind``: G7, Sn12, D3."""
        prefix = PREFIXES[kind]
        taken = {
            int(n.id[len(prefix) :]) for n in self.nodes if re.fullmatch(rf"{prefix}\d+", n.id)
        }
        return f"{prefix}{max(taken, default=0) + 1}"

    # Changes give a new argument; the stored one is replaced in one transaction.
    def with_node(self, node: Node) -> Argument:
        if node.id in self.by_id:
            nodes = tuple(node if n.id == node.id else n for n in self.nodes)
        else:
            nodes = (*self.nodes, node)
        return Argument(nodes, self.edges, header=self.header, modules=self.modules)

    def without_node(self, node_id: str) -> Argument:
        return Argument(
            tuple(n for n in self.nodes if n.id != node_id),
            tuple(e for e in self.edges if node_id not in (e.source, e.target)),
            header=self.header,
            modules=self.modules,
        )

    def with_edge(self, edge: Edge) -> Argument:
        if edge in self.edges:
            return self
        return Argument(self.nodes, (*self.edges, edge), header=self.header, modules=self.modules)

    def without_edge(self, edge: Edge) -> Argument:
        return Argument(
            self.nodes,
            tuple(e for e in self.edges if e != edge),
            header=self.header,
            modules=self.modules,
        )


def claim_points(node: Node) -> dict[str, list[str]]:
    """The node's assurance claim points (GSN's confidence extension), each with what it is
    on: the node's own id, or the nodes its links lead to."""
    points = node.extra.get("acp")
    if not isinstance(points, dict):
        return {}
    return {
        str(k): [str(t) for t in (v if isinstance(v, list) else [v])] for k, v in points.items()
    }


def link_ends(relation: str) -> tuple[str, str]:
    """The two ends of a link a doubt challenges, written "G1 -> S1"."""
    source, _, target = relation.partition("->")
    return source.strip(), target.strip()


def link_problem(source: Node, target: Node, link: Link) -> str:
    """Why GSN does not allow ``link`` from ``source`` to ``target``, or "" if it does."""
    allowed = ALLOWED_LINKS[link].get(source.kind)
    if allowed is None:
        return f"A {source.kind} cannot have a {link} link."
    if target.kind not in allowed:
        return f"A {source.kind} {link} link must go to a {either(allowed)}, not a {target.kind}."
    return ""


def either(kinds: Iterable[str]) -> str:
    """The names of ``kinds`` joined as "a, b or c"."""
    names = sorted(str(k) for k in kinds)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def to_document(argument: Argument) -> dict[str, Any]:
    """The argument as plain JSON values, in a stable order. What a node leaves at its
    default since a later version (its relations, its extra keys) is left out, so the
    digest of an argument stored before then is unchanged."""
    document: dict[str, Any] = {
        "nodes": [_plain(asdict(n)) for n in argument.nodes],
        "edges": [_plain(asdict(e)) for e in argument.edges],
    }
    if argument.header:
        document["header"] = argument.header
    if argument.modules:
        document["modules"] = argument.modules
    return document


def from_document(document: dict[str, Any] | None) -> Argument:
    """The argument a document describes (as `to_document` wrote it)."""
    if not document:
        return Argument()
    nodes = []
    for raw in document.get("nodes", []):
        values: dict[str, Any] = dict(raw)
        node = Node(
            **{
                **values,
                "kind": Kind(values["kind"]),
                "declaration": Declaration(values.get("declaration", Declaration.ASSERTED)),
                "strategy_kind": _enum(StrategyKind, values.get("strategy_kind")),
                "defeater_kind": _enum(DefeaterKind, values.get("defeater_kind")),
                "status": _enum(DoubtStatus, values.get("status")),
                "relations": tuple(values.get("relations", ())),  # type: ignore[arg-type]
            }
        )
        nodes.append(node)
    edges = [
        Edge(str(e["source"]), str(e["target"]), Link(str(e["link"])))
        for e in document.get("edges", [])
    ]
    return Argument(
        tuple(nodes),
        tuple(edges),
        header=dict(document.get("header") or {}),
        modules=dict(document.get("modules") or {}),
    )


def _enum(enum: type[StrEnum], value: Any) -> Any:
    return enum(value) if value not in (None, "") else None


def _plain(values: dict[str, object]) -> dict[str, object]:
    return {
        k: (str(v) if isinstance(v, StrEnum) else list(v) if isinstance(v, tuple) else v)
        for k, v in values.items()
        if not (k in ADDED_LATER and not v)
    }


ADDED_LATER = frozenset({"relations", "extra", "module"})
