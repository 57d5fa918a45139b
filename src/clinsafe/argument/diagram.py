"""The argument drawn in GSN shapes, as SVG rendered on the server by Graphviz, and as a text
outline that says the same for readers who cannot see the diagram.

Graphviz escapes the text it places in SVG, so user text cannot become markup; labels are
also escaped for the DOT language here.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from clinsafe.argument.checks import Report, Severity
from clinsafe.argument.graph import Argument, Declaration, DoubtStatus, Kind, Link, Node

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


def dot_source(argument: Argument, report: Report, url: Callable[[str], str]) -> str:
    lines = [
        "digraph argument {",
        '  graph [rankdir=TB nodesep=0.3 ranksep=0.5 fontname="DejaVu Sans"];',
        '  node [fontname="DejaVu Sans" fontsize=10 margin="0.12,0.06"];',
        '  edge [fontname="DejaVu Sans" fontsize=9];',
    ]
    for node in argument.nodes:
        colour, words = status(node, report)
        head = node.id + (f" ({node.kind.label})" if node.kind != Kind.CLAIM else "")
        if node.kind == Kind.CLAIM and node.hazard:
            head += f" · {node.hazard}"
        # Circles grow with their text squared: evidence shows a short label.
        limit = 40 if node.kind == Kind.EVIDENCE else 160
        body = textwrap.fill(_short(node.text, limit), WRAP if limit > 40 else 16)
        label = f"{head}\n{body}\n[{words}]"
        lines.append(
            f"  {_quote(node.id)} [{SHAPES[node.kind]} fillcolor={_quote(FILLS[colour])} "
            f"label={_quote(label)} URL={_quote(url(node.id))} "
            f"tooltip={_quote(f'{node.id}: {words}')}];"
        )
    for edge in argument.edges:
        if edge.source in argument.by_id and edge.target in argument.by_id:
            lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [{EDGES[edge.link]}];")
    lines.append("}")
    return "\n".join(lines)


def render_svg(argument: Argument, report: Report, url: Callable[[str], str]) -> str:
    """The diagram as an SVG element for a page (no XML prolog)."""
    svg = _dot(dot_source(argument, report, url), "svg").decode()
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


@dataclass
class OutlineItem:
    node: Node
    link: Link | None
    colour: str
    words: str
    children: list[OutlineItem] = field(default_factory=list)
    repeated: bool = False  # shown in full elsewhere in the outline


def outline(argument: Argument, report: Report) -> tuple[list[OutlineItem], list[Node]]:
    """The argument as a nested list from its top claims, and the nodes outside it."""
    shown: set[str] = set()

    def item(node: Node, link: Link | None) -> OutlineItem:
        colour, words = status(node, report)
        entry = OutlineItem(node, link, colour, words, repeated=node.id in shown)
        if entry.repeated:
            return entry
        shown.add(node.id)
        for edge in argument.edges:
            if edge.source == node.id and edge.link != Link.CHALLENGES:
                entry.children.append(item(argument.by_id[edge.target], edge.link))
        for edge in argument.edges:
            if edge.target == node.id and edge.link == Link.CHALLENGES:
                entry.children.append(item(argument.by_id[edge.source], Link.CHALLENGES))
        return entry

    supported = {e.target for e in argument.edges if e.link == Link.SUPPORTED_BY}
    challengers = {e.source for e in argument.edges if e.link == Link.CHALLENGES}
    tops = [
        n for n in argument.of_kind(Kind.CLAIM) if n.id not in supported and n.id not in challengers
    ]
    roots = [item(n, None) for n in tops]
    return roots, [n for n in argument.nodes if n.id not in shown]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
