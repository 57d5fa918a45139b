"""'Argue over all hazards': the standard pattern a CSO starts from and then develops by hand.

The top claim that the product is acceptably safe for its intended use, in the context of
the intended use and the hazard log; a strategy over all identified hazards; one claim per
hazard that its residual risk is acceptable, supported by the verification of the controls
it relies on. Run again, it adds what the hazard log gained and never changes or removes
what is there, so hand-made development is kept. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinsafe.argument.graph import (
    Argument,
    Declaration,
    Edge,
    Kind,
    Link,
    Node,
    StrategyKind,
)

TOP, INTENDED_USE, HAZARD_LOG, OVER_HAZARDS = "G1", "C1", "C2", "S1"


@dataclass(frozen=True)
class PatternControl:
    reference: str
    description: str
    verified: bool


@dataclass(frozen=True)
class PatternHazard:
    reference: str
    title: str
    residual_rating: int | None
    controls: tuple[PatternControl, ...] = ()


def argue_over_hazards(
    argument: Argument, *, product: str, intended_use: str, hazards: list[PatternHazard]
) -> tuple[Argument, list[str]]:
    """``argument`` with the pattern's missing nodes and links added, and their ids."""
    added: list[str] = []

    def ensure(node: Node) -> None:
        nonlocal argument
        if node.id not in argument.by_id:
            argument = argument.with_node(node)
            added.append(node.id)

    def link(source: str, target: str, kind: Link) -> None:
        nonlocal argument
        argument = argument.with_edge(Edge(source, target, kind))

    ensure(Node(TOP, Kind.CLAIM, f"{product} is acceptably safe for its intended use."))
    ensure(Node(INTENDED_USE, Kind.CONTEXT, f"Intended use: {intended_use or 'not recorded'}"))
    ensure(Node(HAZARD_LOG, Kind.CONTEXT, f"The hazard log of {product}."))
    ensure(
        Node(
            OVER_HAZARDS,
            Kind.STRATEGY,
            "Argument over all identified hazards.",
            strategy_kind=StrategyKind.DECOMPOSITION,
            side_condition="The hazard log holds every hazard identified for the product, so "
            "the residual risk of each being acceptable means the product is acceptably safe.",
        )
    )
    link(TOP, INTENDED_USE, Link.IN_CONTEXT_OF)
    link(TOP, OVER_HAZARDS, Link.SUPPORTED_BY)
    link(OVER_HAZARDS, HAZARD_LOG, Link.IN_CONTEXT_OF)

    claimed = {n.hazard for n in argument.of_kind(Kind.CLAIM) if n.hazard}
    for hazard in hazards:
        if hazard.reference in claimed:
            continue  # the CSO's own claim about it stays as it is
        claim_id = f"G-{hazard.reference}"
        evidence = [c for c in hazard.controls if c.verified]
        ensure(
            Node(
                claim_id,
                Kind.CLAIM,
                f"The residual risk of {hazard.reference} ({hazard.title}) is acceptable.",
                declaration=Declaration.ASSERTED if evidence else Declaration.UNDEVELOPED,
                hazard=hazard.reference,
                residual_rating=hazard.residual_rating,
            )
        )
        link(OVER_HAZARDS, claim_id, Link.SUPPORTED_BY)
        for control in evidence:
            evidence_id = f"Sn-{control.reference}"
            ensure(
                Node(
                    evidence_id,
                    Kind.EVIDENCE,
                    f"Verification of {control.reference}: {control.description}",
                    control=control.reference,
                )
            )
            link(claim_id, evidence_id, Link.SUPPORTED_BY)
    return argument, added
