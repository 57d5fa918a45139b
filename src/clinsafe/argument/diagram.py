"""The argument drawn in GSN shapes, as SVG rendered on the server by Graphviz, and as a text
outline that says the same for readers who cannot see the diagram.

Graphviz escapes the text it places in SVG, so user text cannot become markup; labels are
also escaped for the DOT language here.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from clinsafe.argument.checks import Report, Severity
from clinsafe.argument.graph import (
    Argument,
    Declaration,
    DoubtStatus,
    Kind,
    Link,
    Node,
    claim_points,
    link_ends,
)

SHAPES = {
    Kind.CLAIM: 'shape=box style="filled"',
    Kind.STRATEGY: 'shape=parallelogram style="filled"',
    Kind.EVIDENCE: 'shape=circle style="filled" fixedsize=false',
    Kind.CONTEXT: 'shape=box style="rounded,filled"',
    Kind.ASSUMPTION: 'shape=ellipse style="filled"',
    Kind.JUSTIFICATION: 'shape=ellipse style="filled"',
    Kind.DEFEATER: 'shape=octagon style="filled,dashed,bold" color="#d5281b"',
}
EDGES = {
    Link.SUPPORTED_BY: 'arrowhead=normal color="#212b32"',
    Link.IN_CONTEXT_OF: 'arrowhead=empty color="#4c6272"',
    Link.CHALLENGES: 'arrowhead=tee style=dashed color="#d5281b"',
}
# Status colours (NHS palette, light fills); each node also says its status in words.
FILLS = {"error": "#f9d4d0", "warning": "#fff5cc", "doubt": "#fde3df", "settled": "#d8eed9",
         "ok": "#ffffff", "undeveloped": "#e8edee"}  # fmt: skip
WRAP = 28
RENDER_SECONDS = 20


class DiagramUnavailable(RuntimeError):
    pass


def status(node: Node, report: Report) -> tuple[str, str]:
    """The colour key and the words for ``node``'s state."""
    findings = report.for_node(node.id)
    errors = sum(f.severity == Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    if node.kind == Kind.DEFEATER:
        doubt = str(node.status or DoubtStatus.OPEN)
        settled = node.status in (DoubtStatus.ELIMINATED, DoubtStatus.ACCEPTED)
        return ("settled" if settled else "doubt"), f"Doubt {doubt}"
    if errors:
        return "error", f"{errors} error{'s' if errors > 1 else ''}"
    if node.kind == Kind.CLAIM and node.declaration == Declaration.UNDEVELOPED:
        return "undeveloped", "Needs support"
    if warnings:
        return "warning", f"{warnings} warning{'s' if warnings > 1 else ''}"
    return "ok", "No findings"


def dot_source(
    argument: Argument,
    report: Report,
    url: Callable[[str], str],
    *,
    prefix: str = "gsn",
    focus: str = "",
) -> str:
    """The diagram in DOT. Element ids start with ``prefix``, so several diagrams can share
    a page; the ``focus`` node is drawn with a heavy border."""
    lines = [
        "digraph argument {",
        f'  graph [id={_quote(prefix)} rankdir=TB nodesep=0.3 ranksep=0.5 fontname="DejaVu Sans"];',
        '  node [fontname="DejaVu Sans" fontsize=10 margin="0.12,0.06"];',
        '  edge [fontname="DejaVu Sans" fontsize=9];',
    ]
    for number, node in enumerate(argument.nodes, 1):
        colour, words = status(node, report)
        head = node.id + (f" · {node.kind.label}" if node.kind != Kind.CLAIM else "")
        if node.kind == Kind.CLAIM and node.hazard:
            head += f" · {node.hazard}"
        # Circles grow with their text squared: evidence shows a short label.
        limit = 40 if node.kind == Kind.EVIDENCE else 160
        body = textwrap.fill(_short(node.text, limit), WRAP if limit > 40 else 16)
        own = [name for name, on in claim_points(node).items() if node.id in on]
        points = f"\nAssurance claim point {', '.join(own)}" if own else ""
        label = f"{head}\n{body}\n[{words}]{points}"
        lines.append(
            f"  {_quote(node.id)} [{SHAPES[node.kind]} fillcolor={_quote(FILLS[colour])} "
            f"label={_quote(label)} URL={_quote(url(node.id))} id={_quote(f'{prefix}-n{number}')} "
            f"tooltip={_quote(f'{node.id}: {words}')}{' penwidth=3' if node.id == focus else ''}];"
        )
    for number, edge in enumerate(argument.edges, 1):
        if edge.source in argument.by_id and edge.target in argument.by_id:
            on_link = [name for name, on in claim_points(argument.by_id[edge.source]).items()
                       if edge.target in on and edge.target != edge.source]  # fmt: skip
            label = f" label={_quote('◆ ' + ', '.join(on_link))}" if on_link else ""
            lines.append(
                f"  {_quote(edge.source)} -> {_quote(edge.target)} "
                f"[{EDGES[edge.link]}{label} id={_quote(f'{prefix}-e{number}')}];"
            )
    # A doubt about a link points at the link's far end, labelled with the link it doubts.
    for node in argument.nodes:
        for number, relation in enumerate(node.relations, 1):
            target = link_ends(relation)[1]
            if target in argument.by_id:
                lines.append(
                    f"  {_quote(node.id)} -> {_quote(target)} [{EDGES[Link.CHALLENGES]} "
                    f"label={_quote('challenges the link ' + relation)} "
                    f"id={_quote(f'{prefix}-r{node.id}-{number}')}];"
                )
    lines.append("}")
    return "\n".join(lines)


def render_svg(
    argument: Argument,
    report: Report,
    url: Callable[[str], str],
    *,
    prefix: str = "gsn",
    focus: str = "",
) -> str:
    """The diagram as an SVG element for a page (no XML prolog)."""
    svg = _dot(dot_source(argument, report, url, prefix=prefix, focus=focus), "svg").decode()
    return svg[svg.index("<svg") :]


def render_png(argument: Argument, report: Report) -> bytes:
    """The diagram as a PNG image, for documents that cannot hold SVG (Word)."""
    return _dot(dot_source(argument, report, lambda node_id: ""), "png", "-Gdpi=110")


def _dot(source: str, output_format: str, *options: str) -> bytes:
    dot = shutil.which("dot")
    if dot is None:
        raise DiagramUnavailable("Graphviz is not installed on the server (the 'dot' command).")
    result = subprocess.run(  # noqa: S603 - fixed command, DOT on stdin
        [dot, f"-T{output_format}", *options],
        input=source.encode(),
        capture_output=True,
        timeout=RENDER_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise DiagramUnavailable(f"Graphviz could not draw the argument: {result.stderr.decode()}")
    return result.stdout


def neighbourhood(argument: Argument, node_id: str) -> Argument:
    """``node_id`` with its neighbours, for the view that focuses on one node: what it
    supports and what supports it, its context, and the doubts about it (and theirs)."""
    near = {node_id}
    for edge in argument.edges:
        if node_id in (edge.source, edge.target):
            near.update((edge.source, edge.target))
    return _only(argument, near)


# Nodes a printed diagram can set side by side on a landscape A4 page with its text still
# readable (about 8 pt): a page's claims are chosen so their lowest rows fit.
ACROSS_A_PAGE = 7


@dataclass(frozen=True)
class Piece:
    """Part of the argument drawn on a page of its own."""

    title: str
    argument: Argument


def pieces(argument: Argument) -> list[Piece]:
    """The argument in pieces a printed page can hold: its top (the top claims with their
    strategies and context), then the claims under each top claim and under each of its
    strategies, a few at a time, each with everything beneath it and the doubts about it.
    Nodes connected to no top claim are left to the outline, which lists them."""
    if not argument.nodes:
        return []
    below = _below(argument)
    doubts: dict[str, list[str]] = {}
    for e in argument.edges:
        if e.link == Link.CHALLENGES:
            doubts.setdefault(e.target, []).append(e.source)
    tops = _tops(argument)
    top: set[str] = set()
    for node in tops:
        for near in (node.id, *below[node.id]):
            top.update((near, *doubts.get(near, ())))
    result = [Piece("The top of the argument", _only(argument, top))]
    for node in tops:
        branches = [node, *(argument.by_id[b] for b in below[node.id]
                            if argument.by_id[b].kind == Kind.STRATEGY)]  # fmt: skip
        for branch in branches:
            claims = [c for c in below[branch.id] if argument.by_id[c].kind == Kind.CLAIM]
            for group in _pages(claims, below, doubts):
                shown = {branch.id, *_context(argument, branch.id), *doubts.get(branch.id, ())}
                for claim in group:
                    shown.update(_beneath(claim, below, doubts))
                result.append(Piece(_piece_title(argument, branch, group), _only(argument, shown)))
    return result


def _pages(
    claims: list[str], below: dict[str, list[str]], doubts: dict[str, list[str]]
) -> Iterator[list[str]]:
    """``claims`` in runs whose nodes at the foot (those with nothing beneath) fit across a
    page; a claim too wide for any page has one to itself."""
    group: list[str] = []
    across = 0
    for claim in claims:
        beneath = _beneath(claim, below, doubts)
        width = max(1, sum(1 for n in beneath if not below.get(n)))
        if group and across + width > ACROSS_A_PAGE:
            yield group
            group, across = [], 0
        group.append(claim)
        across += width
    if group:
        yield group


def _piece_title(argument: Argument, branch: Node, group: list[str]) -> str:
    hazards = [argument.by_id[c].hazard for c in group if argument.by_id[c].hazard]
    what = f"hazards {hazards[0]} to {hazards[-1]}" if len(hazards) > 1 else (
        f"hazard {hazards[0]}" if hazards else f"claims {group[0]} to {group[-1]}"
        if len(group) > 1 else f"claim {group[0]}"
    )  # fmt: skip
    return f"{branch.id} {_short(branch.text, 80).rstrip('.')}: {what}"


def _tops(argument: Argument) -> list[Node]:
    supported = {e.target for e in argument.edges if e.link == Link.SUPPORTED_BY}
    challengers = {e.source for e in argument.edges if e.link == Link.CHALLENGES}
    return [
        n for n in argument.of_kind(Kind.CLAIM) if n.id not in supported and n.id not in challengers
    ]


def _below(argument: Argument) -> dict[str, list[str]]:
    """Each node's children by the links that point down the argument, in order."""
    below: dict[str, list[str]] = {n.id: [] for n in argument.nodes}
    for e in argument.edges:
        if e.link != Link.CHALLENGES and e.source in below and e.target in below:
            below[e.source].append(e.target)
    return below


def _context(argument: Argument, node_id: str) -> list[str]:
    return [e.target for e in argument.edges
            if e.source == node_id and e.link == Link.IN_CONTEXT_OF]  # fmt: skip


def _beneath(node_id: str, below: dict[str, list[str]], doubts: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    work = [node_id]
    while work:
        current = work.pop()
        if current in seen:
            continue
        seen.add(current)
        work.extend(below.get(current, ()))
        work.extend(doubts.get(current, ()))
    return seen


def _only(argument: Argument, ids: set[str]) -> Argument:
    return Argument(
        tuple(n for n in argument.nodes if n.id in ids),
        tuple(e for e in argument.edges if e.source in ids and e.target in ids),
    )


@dataclass
class OutlineItem:
    node: Node
    link: Link | None
    colour: str
    words: str
    children: list[OutlineItem] = field(default_factory=list)
    repeated: bool = False  # shown in full elsewhere in the outline
    points: list[str] = field(default_factory=list)  # assurance claim points on it or its link


def outline(argument: Argument, report: Report) -> tuple[list[OutlineItem], list[Node]]:
    """The argument as a nested list from its top claims, and the nodes outside it."""
    shown: set[str] = set()

    def item(node: Node, link: Link | None, parent: Node | None = None) -> OutlineItem:
        colour, words = status(node, report)
        points = [name for name, on in claim_points(node).items() if node.id in on]
        if parent is not None:
            points += [name for name, on in claim_points(parent).items() if node.id in on]
        entry = OutlineItem(node, link, colour, words, repeated=node.id in shown, points=points)
        if entry.repeated:
            return entry
        shown.add(node.id)
        for edge in argument.edges:
            if edge.source == node.id and edge.link != Link.CHALLENGES:
                entry.children.append(item(argument.by_id[edge.target], edge.link, node))
        for edge in argument.edges:
            if edge.target == node.id and edge.link == Link.CHALLENGES:
                entry.children.append(item(argument.by_id[edge.source], Link.CHALLENGES))
        for doubt in link_doubts.get(node.id, []):
            entry.children.append(item(doubt, Link.CHALLENGES))
        return entry

    # A doubt about a link is shown under the node the link leads to.
    link_doubts: dict[str, list[Node]] = {}
    for n in argument.nodes:
        for relation in n.relations:
            link_doubts.setdefault(link_ends(relation)[1], []).append(n)

    roots = [item(n, None) for n in _tops(argument)]
    return roots, [n for n in argument.nodes if n.id not in shown]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
