"""How long the argument checks take on a large argument. Targets: 500 nodes in 200 ms,
5,000 in 2 s, for the server's check and for `check-argument --file` alike.

Builds an argument of about N nodes in the standard pattern (top claim, strategy over the
hazards, per hazard a claim with a sub-strategy, two sub-claims, evidence and a doubt that is
answered) with the hazard log and evidence facts to match, then prints, at 500 and 5,000
nodes, the median time of `clinsafe.argument.checks.check` against those records, and of a
file check (the argument as gsn2x YAML, read and checked as `check-argument --file` does),
each beside its target and the ratio. Pure Python: no database.

    .venv/bin/python bench/argument_check.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from clinsafe.argument.checks import ArtefactFacts, Facts, HazardFacts, check
from clinsafe.argument.graph import (
    Argument,
    DefeaterKind,
    DoubtStatus,
    Edge,
    Kind,
    Link,
    Node,
    StrategyKind,
)
from clinsafe.argument.gsn_yaml import dump, parse_files

PER_HAZARD = 9  # nodes added for each hazard


def build(nodes: int) -> tuple[Argument, Facts]:
    hazards = max(1, (nodes - 3) // PER_HAZARD)
    graph: list[Node] = [
        Node("G1", Kind.CLAIM, "The product is acceptably safe."),
        Node("C1", Kind.CONTEXT, "Intended use."),
        Node("S1", Kind.STRATEGY, "Over all hazards.", strategy_kind=StrategyKind.DECOMPOSITION),
    ]
    edges = [Edge("G1", "C1", Link.IN_CONTEXT_OF), Edge("G1", "S1", Link.SUPPORTED_BY)]
    log: dict[str, HazardFacts] = {}
    artefacts: dict[str, ArtefactFacts] = {}
    for i in range(1, hazards + 1):
        ref, art = f"H-{i:03d}", f"AR-{i:03d} v1"
        log[ref] = HazardFacts(ref, f"Hazard {i}", False, 2)
        artefacts[art] = ArtefactFacts(f"Report {i}", "1.0", "Sam Lee", "Tom Okafor")
        claim, sub = f"G-{ref}", f"S-{ref}"
        graph += [
            Node(claim, Kind.CLAIM, f"{ref} is acceptable.", hazard=ref, residual_rating=2),
            Node(sub, Kind.STRATEGY, "By cause.", strategy_kind=StrategyKind.DECOMPOSITION),
            Node(f"G-{ref}-a", Kind.CLAIM, "Cause a is controlled."),
            Node(f"G-{ref}-b", Kind.CLAIM, "Cause b is controlled."),
            Node(f"Sn-{ref}-a", Kind.EVIDENCE, "Tests a.", artefact=art),
            Node(f"Sn-{ref}-b", Kind.EVIDENCE, "Tests b.", artefact=art),
            Node(f"D-{ref}", Kind.DEFEATER, "Untested path.",
                 defeater_kind=DefeaterKind.REBUTTING, status=DoubtStatus.ELIMINATED),
            Node(f"G-{ref}-d", Kind.CLAIM, "The path is tested."),
            Node(f"Sn-{ref}-d", Kind.EVIDENCE, "Path tests.", artefact=art),
        ]  # fmt: skip
        edges += [
            Edge("S1", claim, Link.SUPPORTED_BY), Edge(claim, sub, Link.SUPPORTED_BY),
            Edge(sub, f"G-{ref}-a", Link.SUPPORTED_BY), Edge(sub, f"G-{ref}-b", Link.SUPPORTED_BY),
            Edge(f"G-{ref}-a", f"Sn-{ref}-a", Link.SUPPORTED_BY),
            Edge(f"G-{ref}-b", f"Sn-{ref}-b", Link.SUPPORTED_BY),
            Edge(f"D-{ref}", claim, Link.CHALLENGES),
            Edge(f"G-{ref}-d", f"D-{ref}", Link.CHALLENGES),
            Edge(f"G-{ref}-d", f"Sn-{ref}-d", Link.SUPPORTED_BY),
        ]  # fmt: skip
    facts = Facts(hazards=log, artefacts=artefacts, release="1.0", for_release=True)
    return Argument(tuple(graph), tuple(edges)), facts


def median_ms(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, findings = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        findings = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), findings


TARGETS_MS = {500: 200, 5000: 2000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per figure")
    args = parser.parse_args()
    for size, target in TARGETS_MS.items():
        argument, facts = build(size)
        text = dump(argument)
        runs = {
            "server check": lambda a=argument, f=facts: len(check(a, f).findings),
            "file check  ": lambda t=text: len(
                check(
                    parse_files([("argument.gsn.yaml", t)]).argument, Facts(records=False)
                ).findings
            ),
        }
        for name, run in runs.items():
            ms, findings = median_ms(run, args.repeat)
            print(
                f"{name} of {len(argument.nodes):5} nodes, {len(argument.edges):5} links: "
                f"median {ms:7.1f} ms, target {target} ms, ratio {ms / target:.2f} "
                f"({findings} findings)"
            )


if __name__ == "__main__":
    main()
