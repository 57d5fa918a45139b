"""The argument as gsn2x YAML, so existing GSN work comes in and diagrams can be shared.

gsn2x keys are kept (text, supportedBy, inContextOf, undeveloped, nodeType, challenges,
defeated); what GSN has no key for (the hazard a claim addresses, a doubt's status, the
artefact evidence points at) is written as string attributes, which gsn2x shows and
ignores. A file that is not a valid argument is refused with each line and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import yaml

from clinsafe.argument.graph import (
    ARTEFACT_VERSION,
    CONTROL,
    HAZARD,
    IDENTIFIER,
    MAX_TEXT,
    Argument,
    Declaration,
    DefeaterKind,
    DoubtStatus,
    Edge,
    Kind,
    Link,
    Node,
    StrategyKind,
    link_ends,
)

NODE_TYPES = {
    "Goal": Kind.CLAIM,
    "Strategy": Kind.STRATEGY,
    "Solution": Kind.EVIDENCE,
    "Context": Kind.CONTEXT,
    "Assumption": Kind.ASSUMPTION,
    "Justification": Kind.JUSTIFICATION,
    "CounterGoal": Kind.DEFEATER,
    "CounterSolution": Kind.EVIDENCE,
}
TYPE_NAMES = {
    Kind.CLAIM: "Goal",
    Kind.STRATEGY: "Strategy",
    Kind.EVIDENCE: "Solution",
    Kind.CONTEXT: "Context",
    Kind.ASSUMPTION: "Assumption",
    Kind.JUSTIFICATION: "Justification",
    Kind.DEFEATER: "CounterGoal",
}
# Longest first: "CSn" before "C", "Sn" before "S".
PREFIX_KINDS = (
    ("CSn", Kind.EVIDENCE),
    ("CG", Kind.DEFEATER),
    ("Sn", Kind.EVIDENCE),
    ("G", Kind.CLAIM),
    ("S", Kind.STRATEGY),
    ("C", Kind.CONTEXT),
    ("A", Kind.ASSUMPTION),
    ("J", Kind.JUSTIFICATION),
    ("D", Kind.DEFEATER),
)
LINK_KEYS = {"supportedBy": Link.SUPPORTED_BY, "inContextOf": Link.IN_CONTEXT_OF,
             "challenges": Link.CHALLENGES}  # fmt: skip
# The keys clinsafe reads; any other (gsn2x layout, assurance claim points, defeated
# relations, free attributes) is kept on the node as read and written back on export.
KNOWN_KEYS = frozenset({
    "text", "nodeType", *LINK_KEYS, "undeveloped", "defeated", "hazard", "control", "artefact",
    "declaration", "strategyKind", "defeaterKind", "status", "residualRating", "reuse",
    "sideCondition", "rationale", "acceptedBy",
})  # fmt: skip
RELATION = re.compile(r"^(.+?)\s*->\s*(.+)$")  # a link challenged: "G1 -> S1"
MAX_NODES = 5000


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    rule: str = ""  # the GSN rule broken, for a file that reads but breaks one
    file: str = ""  # which file, when an argument is read from several

    def __str__(self) -> str:
        return f"{self.file + ', ' if self.file else ''}line {self.line}: {self.message}"


class ArgumentFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Parsed:
    argument: Argument
    lines: dict[str, int]  # where each node is defined
    files: dict[str, str] | None = None  # which file defines each node, when several


class UnreadableFile(ArgumentFileError):
    """Not an argument at all (not YAML, not a mapping), rather than one that breaks a rule."""


MAX_DEPTH = 50  # an argument file nests four deep (node, key, list, item)
# libyaml where PyYAML has it: a 5,000-node file reads in a tenth of the time.
_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


def _compose(name: str, text: str) -> yaml.Node | None:
    """The file's YAML nodes. Composing recurses, so a file nested some hundreds deep
    would end in a RecursionError (or worse, in C): its events are read first, and nesting
    beyond MAX_DEPTH is refused at the line where it happens."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise UnreadableFile([Problem(
                    mark.line + 1 if mark is not None else 1,
                    f"not valid YAML: lists and mappings may not be nested more than {MAX_DEPTH} "
                    "deep", file=name,
                )])  # fmt: skip
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
    return yaml.compose(text, Loader=_LOADER)


def parse(text: str) -> Parsed:
    """The argument in gsn2x YAML ``text``; raises ArgumentFileError naming each bad line."""
    return parse_files([("", text)])


def parse_files(files: list[tuple[str, str]]) -> Parsed:
    """One argument kept in several gsn2x files (its modules), given as (name, text): a node
    in one may support or challenge a node in another. Raises UnreadableFile for a file that
    is not an argument, ArgumentFileError naming each bad line otherwise."""
    roots = []
    for name, text in files:
        try:
            root = _compose(name, text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            reason = getattr(error, "problem", None) or str(error)
            raise UnreadableFile([Problem(line, f"not valid YAML: {reason}", file=name)]) from None
        if root is None:
            raise UnreadableFile(
                [Problem(1, "the file is empty; it must map node ids to nodes", file=name)]
            )
        if not isinstance(root, yaml.MappingNode):
            raise UnreadableFile([Problem(
                _line(root), "the file must map node ids to nodes (e.g. 'G1: {text: ...}')",
                file=name,
            )])  # fmt: skip
        roots.append((name, root))
    return _Reader().read(roots)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.files: dict[str, str] = {}
        self.file = ""  # the file being read
        self.file_of: dict[int, str] = {}  # YAML node (by id) to its file, for problems
        self.extras: dict[str, dict[str, tuple[yaml.Node, Any]]] = {}  # by node, by key
        self.relations: dict[str, list[str]] = {}  # the links each node challenges
        self.headers: dict[str, dict[str, Any]] = {}  # each file's module header

    def fail(self, node: yaml.Node, message: str, rule: str = "") -> None:
        self.problems.append(Problem(_line(node), message, rule, self.file_of.get(id(node), "")))

    def read(self, roots: list[tuple[str, yaml.MappingNode]]) -> Parsed:
        raw: dict[str, tuple[yaml.Node, dict[str, tuple[yaml.Node, Any]]]] = {}
        modules: dict[str, tuple[str, yaml.Node, list[Any]]] = {}  # name: file, node, uses
        for file, root in roots:
            self.file = file if len(roots) > 1 else ""  # problems name a file among several
            self._mark(root)
            seen_module = False
            for key, value in root.value:
                name = _scalar(key)
                if name == "module":
                    if seen_module:
                        self.fail(key, "the module header is given twice; a file has one",
                                  "duplicate-module")  # fmt: skip
                    seen_module = True
                    modules.update(self.module(key, value))
                    continue
                if not isinstance(name, str) or not IDENTIFIER.match(name):
                    self.fail(key, f"{name!r} is not a node id: any text of 1 to 200 "
                              "characters, not blank, without control characters")  # fmt: skip
                    continue
                if name in raw:
                    where = self.files.get(name)
                    self.fail(
                        key,
                        f"node {name} is defined twice"
                        + (f" (also in {where})" if where and where != self.file else ""),
                    )
                    continue
                self.lines[name] = _line(key)
                self.files[name] = self.file
                raw[name] = (key, self.attributes(name, value))
        self.uses(modules, {name for name, _ in roots})
        if len(raw) > MAX_NODES:
            self.fail(roots[0][1], f"the argument has {len(raw)} nodes; at most {MAX_NODES} "
                      "are read")  # fmt: skip
        kinds = {name: self.kind(name, key, attrs) for name, (key, attrs) in raw.items()}
        edges = self.edges(raw, kinds)
        defeated = {name for name, (_, attrs) in raw.items() if attrs.get("defeated", (0, 0))[1]}
        self.dialectic(raw, kinds, edges, defeated)
        nodes = [
            self.node(name, key, kinds[name], attrs, edges, kinds, defeated)
            for name, (key, attrs) in raw.items()
            if kinds[name] is not None
        ]
        if self.problems:
            raise ArgumentFileError(sorted(self.problems, key=lambda p: (p.file, p.line)))
        files = self.files if len(roots) > 1 else None
        if files:  # kept by file, so an export writes the same files back
            nodes = [replace(n, module=files[n.id]) if n else n for n in nodes]
            by_file, header = {name: self.headers.get(name, {}) for name, _ in roots}, {}
        else:
            by_file, header = {}, self.headers.get("", {})
        argument = Argument(tuple(n for n in nodes if n), tuple(edges), header=header,
                            modules=by_file)  # fmt: skip
        return Parsed(argument, self.lines, files)

    def _mark(self, node: yaml.Node) -> None:
        """Remember which file each YAML node came from."""
        work = [node]
        while work:
            current = work.pop()
            self.file_of[id(current)] = self.file
            if isinstance(current, yaml.MappingNode):
                work.extend(n for pair in current.value for n in pair)
            elif isinstance(current, yaml.SequenceNode):
                work.extend(current.value)

    def module(
        self, key: yaml.Node, value: yaml.Node
    ) -> dict[str, tuple[str, yaml.Node, list[Any]]]:
        """A file's module header: its name (the file's own name if none) and the modules it
        uses."""
        if not isinstance(value, yaml.MappingNode):
            self.fail(value, "the module header must be a mapping (name, brief, uses)")
            return {}
        header = {_scalar(k): v for k, v in value.value}
        self.headers[self.file] = _python(value)
        name = _scalar(header["name"]) if "name" in header else self.file
        uses = header.get("uses")
        used = [_scalar(u) for u in uses.value] if isinstance(uses, yaml.SequenceNode) else (
            [_scalar(uses)] if uses is not None else []
        )  # fmt: skip
        return {str(name): (self.file, uses or key, used)}

    def uses(self, modules: dict[str, tuple[str, yaml.Node, list[Any]]], files: set[str]) -> None:
        known = set(modules) | files
        for name, (_file, node, used) in modules.items():
            for other in used:
                if other not in known:
                    self.fail(node, f"module {name} uses {other!r}, which is not one of the "
                              "files checked", "dangling-module")  # fmt: skip
            if len(used) != len(set(used)):
                self.fail(node, f"module {name} names a module it uses twice", "duplicate-module")

    def dialectic(self, raw: dict[str, Any], kinds: dict[str, Kind | None], edges: list[Edge],
                  defeated: set[str]) -> None:  # fmt: skip
        """What GSN forbids outright: a challenged link, an assurance claim point or a
        defeated relation that points at nothing, a node marked defeated that nothing
        challenges, and a claim marked undeveloped that is also supported."""
        links = {(e.source, e.target) for e in edges if e.link != Link.CHALLENGES}
        for name, relations in self.relations.items():
            item = raw[name][1]["challenges"][0]
            for relation in relations:
                if link_ends(relation) not in links:
                    self.fail(item, f"{name} challenges the link {relation}, which is not in "
                              "the argument", "challenged-link-missing")  # fmt: skip
        related: dict[str, set[str]] = {name: {name} for name in raw}  # itself, what it links to
        for source, target in links:
            related[source].add(target)
        for name, extras in self.extras.items():
            if "acp" in extras:
                self.claim_points(name, *extras["acp"], related[name])
            if "defeatedRelation" in extras:
                item, value = extras["defeatedRelation"]
                if value not in related[name] - {name}:
                    self.fail(item, f"{name}.defeatedRelation names {value!r}, which {name} has "
                              "no link to", "defeated-relation-missing")  # fmt: skip
        challenged = {e.target for e in edges if e.link == Link.CHALLENGES}
        challenged |= {link_ends(r)[0] for rs in self.relations.values() for r in rs}
        supported = {e.source for e in edges if e.link == Link.SUPPORTED_BY}
        for name, (_key, attrs) in raw.items():
            if name in defeated and name not in challenged and kinds[name] != Kind.DEFEATER:
                self.fail(attrs["defeated"][0], f"{name} is marked defeated, but nothing "
                          "challenges it", "defeated-unchallenged")  # fmt: skip
            if attrs.get("undeveloped", (None, False))[1] is True and name in supported:
                self.fail(
                    attrs["undeveloped"][0],
                    f"{name} is marked undeveloped, but it is "
                    "supported (supportedBy): it cannot be both",
                    "undeveloped-supported",
                )

    def attributes(self, name: str, value: yaml.Node) -> dict[str, tuple[yaml.Node, Any]]:
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
            return {}
        if not isinstance(value, yaml.MappingNode):
            self.fail(value, f"node {name} must be a mapping of attributes (text, supportedBy, …)")
            return {}
        attrs: dict[str, tuple[yaml.Node, Any]] = {}
        for key, item in value.value:
            attr = _scalar(key)
            if not isinstance(attr, str):
                self.fail(key, f"node {name} has an attribute name that is not text")
                continue
            if attr in attrs:
                self.fail(key, f"node {name} gives {attr} twice")
                continue
            if attr not in KNOWN_KEYS:
                self.extras.setdefault(name, {})[attr] = (item, _python(item))
            elif isinstance(item, yaml.SequenceNode):
                attrs[attr] = (item, [_scalar(i) for i in item.value])
            elif isinstance(item, yaml.ScalarNode):
                attrs[attr] = (item, _scalar(item))
            else:
                self.fail(item, f"{name}.{attr} must be text or a list")
        return attrs

    def kind(self, name: str, key: yaml.Node, attrs: dict[str, Any]) -> Kind | None:
        if "nodeType" in attrs:
            item, value = attrs["nodeType"]
            if value not in NODE_TYPES:
                self.fail(item, f"{name}.nodeType {value!r} is not one of {', '.join(NODE_TYPES)}")
                return None
            return NODE_TYPES[value]
        for prefix, kind in PREFIX_KINDS:
            if name.startswith(prefix):
                return kind
        self.fail(key, f"the type of {name} is unknown: start its id with G, S, Sn, C, A, J or "
                  "CG, or give nodeType")  # fmt: skip
        return None

    def edges(self, raw: dict[str, Any], kinds: dict[str, Kind | None]) -> list[Edge]:
        edges: dict[Edge, None] = {}  # in the order given, each once
        for name, (_, attrs) in raw.items():
            for key, link in LINK_KEYS.items():
                if key not in attrs:
                    continue
                item, value = attrs[key]
                targets = value if isinstance(value, list) else [value]
                for target in targets:
                    relation = RELATION.match(target) if isinstance(target, str) else None
                    if link == Link.CHALLENGES and target not in raw and relation:
                        self.relations.setdefault(name, []).append(target)
                    elif not isinstance(target, str) or target not in raw:
                        self.fail(item, f"{name}.{key} names {target!r}, which is not a node "
                                  "in the file")  # fmt: skip
                    elif target == name and link != Link.CHALLENGES:
                        self.fail(item, f"{name}.{key} names {name} itself")
                    else:
                        edges[Edge(name, target, link)] = None
        return list(edges)

    def claim_points(self, name: str, item: yaml.Node, value: Any, related: set[str]) -> None:
        """Each assurance claim point names the node itself, or nodes it links to."""
        if not isinstance(value, dict):
            self.fail(item, f"{name}.acp must map each assurance claim point to what it is on",
                      "acp-dangling")  # fmt: skip
            return
        for point, on in value.items():
            for target in on if isinstance(on, list) else [on]:
                if target not in related:
                    self.fail(
                        item,
                        f"{name}'s assurance claim point {point} is on {target!r}, "
                        f"which is neither {name} nor a node it links to",
                        "acp-dangling",
                    )

    def node(
        self,
        name: str,
        key: yaml.Node,
        kind: Kind | None,
        attrs: dict[str, tuple[yaml.Node, Any]],
        edges: list[Edge],
        kinds: dict[str, Kind | None],
        defeated: set[str],
    ) -> Node | None:
        if kind is None:
            return None
        values: dict[str, Any] = {}

        def text(attr: str, field: str, *, required: bool = False) -> None:
            if attr not in attrs:
                if required:
                    self.fail(key, f"{name} has no text")
                return
            item, value = attrs[attr]
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                self.fail(item, f"{name}.{attr} must be text")
                return
            value = str(value).strip()
            if required and not value:
                self.fail(item, f"{name} has no text")
            elif len(value) > MAX_TEXT:
                self.fail(item, f"{name}.{attr} is longer than {MAX_TEXT} characters")
            else:
                values[field] = value

        def choice(attr: str, field: str, enum: type[StrEnum]) -> None:
            if attr in attrs:
                item, value = attrs[attr]
                try:
                    values[field] = enum(value)
                except ValueError:
                    options = ", ".join(e.value for e in enum)
                    self.fail(item, f"{name}.{attr} {value!r} is not one of: {options}")

        def pattern(attr: str, field: str, regex: Any, example: str) -> None:
            text(attr, field)
            if field in values and not regex.match(values[field]):
                self.fail(attrs[attr][0], f"{name}.{attr} {values.pop(field)!r} is not like "
                          f"{example}")  # fmt: skip

        text("text", "text")  # a node may be given by its id alone
        text("sideCondition", "side_condition")
        text("rationale", "rationale")
        text("acceptedBy", "accepted_by")
        pattern("hazard", "hazard", HAZARD, "H-003")
        pattern("control", "control", CONTROL, "C-004")
        pattern("artefact", "artefact", ARTEFACT_VERSION, "AR-003 v2")
        choice("declaration", "declaration", Declaration)
        choice("strategyKind", "strategy_kind", StrategyKind)
        choice("defeaterKind", "defeater_kind", DefeaterKind)
        choice("status", "status", DoubtStatus)
        if attrs.get("undeveloped", (None, False))[1] is True and kind == Kind.CLAIM:
            values.setdefault("declaration", Declaration.UNDEVELOPED)
        if "residualRating" in attrs:
            item, value = attrs["residualRating"]
            if str(value) not in {"1", "2", "3", "4", "5"}:
                self.fail(item, f"{name}.residualRating {value!r} is not a rating from 1 to 5")
            else:
                values["residual_rating"] = int(value)
        if "reuse" in attrs:
            values["reuse"] = str(attrs["reuse"][1]).lower() == "true"
        if kind == Kind.DEFEATER:
            self.doubt(name, key, values, edges, kinds, defeated)
        if values.get("artefact") and values.get("control"):
            self.fail(key, f"{name} points at both an artefact and a control; give one")
        values["relations"] = tuple(self.relations.get(name, ()))
        values["extra"] = {k: v for k, (_, v) in self.extras.get(name, {}).items()}
        return Node(id=name, kind=kind, **{"text": "", **values})

    def doubt(self, name: str, key: yaml.Node, values: dict[str, Any], edges: list[Edge],
              kinds: dict[str, Kind | None], defeated: set[str]) -> None:  # fmt: skip
        """Fill in what a plain gsn2x counter-goal leaves out: its kind from what it
        challenges, its status from `defeated`."""
        targets = [e.target for e in edges if e.source == name and e.link == Link.CHALLENGES]
        if "defeater_kind" not in values:
            target_kinds = {kinds.get(t) for t in targets}
            values["defeater_kind"] = (
                DefeaterKind.UNDERCUTTING if self.relations.get(name) and not targets
                else DefeaterKind.REBUTTING if Kind.CLAIM in target_kinds
                else DefeaterKind.UNDERCUTTING if Kind.STRATEGY in target_kinds
                else DefeaterKind.UNDERMINING
            )  # fmt: skip
        if "status" not in values:
            values["status"] = (
                DoubtStatus.ELIMINATED if name in defeated
                else DoubtStatus.SUSTAINED if any(t in defeated for t in targets)
                else DoubtStatus.OPEN
            )  # fmt: skip
        if values["status"] == DoubtStatus.ACCEPTED and not (
            values.get("rationale") and values.get("accepted_by")
        ):
            self.fail(key, f"{name} is accepted as residual: give its rationale and acceptedBy")


def dump_files(argument: Argument) -> list[tuple[str, str]]:
    """``argument`` as the gsn2x files it was read from, each with its module header and its
    nodes (one file, named "", for an argument kept in one); `parse_files` reads them back."""
    if not argument.modules:
        return [("", dump(argument))]
    return [(name, dump(argument, module=name)) for name in argument.modules]


def dump(argument: Argument, module: str | None = None) -> str:
    """``argument`` as gsn2x YAML (or, given ``module``, that module's file); `parse` reads it
    back to the same argument."""
    header = argument.header if module is None else argument.modules.get(module, {})
    document: dict[str, Any] = {"module": header} if header else {}
    sustained = {
        e.target
        for e in argument.edges
        if e.link == Link.CHALLENGES and argument.by_id[e.source].status == DoubtStatus.SUSTAINED
    }
    # Evidence on the counter side (it challenges, or supports a doubt) is a counter-solution.
    counter = {e.source for e in argument.edges if e.link == Link.CHALLENGES} | {
        e.target for e in argument.edges
        if e.link == Link.SUPPORTED_BY and argument.by_id[e.source].kind == Kind.DEFEATER
    }  # fmt: skip
    out: dict[tuple[str, Link], list[str]] = {}  # each node's links, in order, read once
    for e in argument.edges:
        out.setdefault((e.source, e.link), []).append(e.target)
    for node in argument.nodes:
        if module is not None and node.module != module:
            continue
        kind = "CounterSolution" if node.kind == Kind.EVIDENCE and node.id in counter else (
            TYPE_NAMES[node.kind]
        )  # fmt: skip
        entry: dict[str, Any] = {"text": node.text, "nodeType": kind}
        for key, link in LINK_KEYS.items():
            targets = list(out.get((node.id, link), []))
            if link == Link.CHALLENGES:
                targets += node.relations
            if targets:
                entry[key] = targets
        if node.kind == Kind.CLAIM and node.declaration == Declaration.UNDEVELOPED:
            entry["undeveloped"] = True
        elif node.kind == Kind.CLAIM and node.declaration != Declaration.ASSERTED:
            entry["declaration"] = str(node.declaration)
        if node.status == DoubtStatus.ELIMINATED or node.id in sustained:
            entry["defeated"] = True
        extra = {
            "hazard": node.hazard,
            "residualRating": "" if node.residual_rating is None else str(node.residual_rating),
            "reuse": "true" if node.reuse else "",
            "strategyKind": str(node.strategy_kind or ""),
            "sideCondition": node.side_condition,
            "defeaterKind": str(node.defeater_kind or ""),
            "status": str(node.status or ""),
            "rationale": node.rationale,
            "acceptedBy": node.accepted_by,
            "artefact": node.artefact,
            "control": node.control,
        }
        entry |= {k: v for k, v in extra.items() if v}
        entry |= node.extra
        document[node.id] = entry
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _python(node: yaml.Node) -> Any:
    """A YAML node as plain Python values (JSON-safe), for what is kept as read."""
    if isinstance(node, yaml.MappingNode):
        return {str(_scalar(k)): _python(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_python(i) for i in node.value]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    """A scalar's value as YAML 1.1 resolves it (true, 3, text)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("true", "yes", "on", "y")
    if node.tag == "tag:yaml.org,2002:int":
        try:
            return int(node.value)
        except ValueError:
            return node.value
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return node.value


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
