"""How long the argument checks take on a large argument (target: 500 nodes in under 200 ms).

Builds an argument of about N nodes in the standard pattern (top claim, strategy over the
hazards, per hazard a claim with a sub-strategy, two sub-claims, evidence and a doubt that is
answered) with the hazard log and evidence facts to match, then prints the median time of
`clinsafe.argument.checks.check` at N and 4 x N. Pure Python: no database.

    .venv/bin/python bench/argument_check.py [--nodes 500] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

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


def median_ms(argument: Argument, facts: Facts, repeat: int) -> tuple[float, int]:
    times, findings = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        findings = len(check(argument, facts).findings)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500, help="N (default 500)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per figure")
    args = parser.parse_args()
    for size in (args.nodes, 4 * args.nodes):
        argument, facts = build(size)
        ms, findings = median_ms(argument, facts, args.repeat)
        print(
            f"check of {len(argument.nodes):5} nodes, {len(argument.edges):5} links: "
            f"median {ms:7.1f} ms ({findings} findings; target for 500 nodes: < 200 ms)"
        )


if __name__ == "__main__":
    main()
