"""The demo e-prescribing product's safety argument: built over all hazards, developed by
hand with evidence and doubts, put forward for 2.4.0 clean, and for 2.5.0 with a doubt still
open. Loaded through the same services as real work, at the days the gate's story needs."""

from __future__ import annotations

from django.contrib.auth.models import User

from clinsafe.argument import services as argument
from clinsafe.argument.graph import DefeaterKind, Kind, Link
from clinsafe.argument.models import ArtefactKind, ArtefactVersion
from clinsafe.products.models import Product, Release


def develop_argument(product: Product, release: Release, people: dict[str, User]) -> None:
    """Argue over all hazards, back the claims with the 2.4 test report, and answer the doubt
    that the hazard log is incomplete."""
    cso, reviewer, engineer = people["cso"], people["reviewer"], people["engineer"]
    report = _artefact(product, engineer, "System test report ST-24-017", ArtefactKind.TEST_REPORT,
                       "https://ci.medsflow.example/reports/ST-24-017", release)  # fmt: skip
    argument.review_artefact_version(actor=reviewer, version=report)
    workshop = _artefact(product, reviewer, "Hazard identification workshop minutes",
                         ArtefactKind.REVIEW, "DMS-CS-0042", None)  # fmt: skip
    argument.review_artefact_version(actor=cso, version=workshop)
    usability = _artefact(product, engineer, "Dose entry usability study", ArtefactKind.ANALYSIS,
                          "DMS-UX-0107", None)  # fmt: skip
    argument.review_artefact_version(actor=engineer, version=usability)

    argument.argue_over_all_hazards(actor=cso, product=product)
    graph = argument.argument_of(product).graph
    claims = [n.id for n in graph.of_kind(Kind.CLAIM) if n.hazard]
    tested = _add(cso, product, Kind.EVIDENCE, "System test report ST-24-017: every hazard's "
                  "test cases passed.", parent=claims[0], artefact=report.reference)  # fmt: skip
    for claim in claims[1:]:
        argument.link_nodes(actor=cso, product=product, revision=_revision(product),
                            source=claim, target=tested, link=Link.SUPPORTED_BY)  # fmt: skip
    _add(cso, product, Kind.EVIDENCE, "Dose entry usability study: no unit confusion in 40 "
         "tasks by 12 prescribers.", parent="G-H-001", artefact=usability.reference)  # fmt: skip
    _add(cso, product, Kind.ASSUMPTION, "Wards keep the paper downtime kit stocked, as the "
         "deploying organisation's business continuity plan requires.", parent="G-H-009",
         link=Link.IN_CONTEXT_OF)  # fmt: skip

    # A doubt about the strategy's inference, answered by how the hazards were found.
    doubt = _add(cso, product, Kind.DEFEATER, "The hazard log may be incomplete: if hazards "
                 "were identified by engineers alone, clinical hazards would be missed.",
                 parent="S1", link=Link.CHALLENGES, defeater_kind=DefeaterKind.UNDERCUTTING,
                 reverse=True)  # fmt: skip
    answer = _add(cso, product, Kind.CLAIM, "Hazards were identified with clinicians: a "
                  "structured workshop with two pharmacists, a ward nurse and a prescriber.",
                  parent=doubt, link=Link.CHALLENGES, reverse=True)  # fmt: skip
    _add(cso, product, Kind.EVIDENCE, "Workshop minutes and attendance.", parent=answer,
         artefact=workshop.reference)  # fmt: skip
    _add(cso, product, Kind.JUSTIFICATION, "A decomposition over the hazard log is sound when "
         "the log was built by a multidisciplinary team.", parent="S1",
         link=Link.IN_CONTEXT_OF)  # fmt: skip
    argument.settle_doubt(actor=people["reviewer"], product=product, revision=_revision(product),
                          node_id=doubt, status="eliminated")  # fmt: skip


def raise_open_doubt(product: Product, people: dict[str, User]) -> None:
    """A doubt about the 2.5.0 redesign that nobody has answered yet."""
    _add(people["reviewer"], product, Kind.DEFEATER, "The redesigned discharge reconciliation "
         "screen has not been tried with pharmacists; the prompt for stopped medicines may be "
         "missed.", parent="G-H-011", link=Link.CHALLENGES, defeater_kind=DefeaterKind.REBUTTING,
         reverse=True)  # fmt: skip


def _artefact(product: Product, producer: User, title: str, kind: str, location: str,
              release: Release | None) -> ArtefactVersion:  # fmt: skip
    artefact = argument.record_artefact(
        actor=producer, product=product, title=title, kind=kind, location=location
    )
    return argument.add_artefact_version(
        actor=producer, artefact=artefact, release=release, label="final",
        content=f"{title}\n".encode(), filename=f"{artefact.reference}.pdf",
    )  # fmt: skip


def _add(actor: User, product: Product, kind: str, text: str, *, parent: str,
         link: str = Link.SUPPORTED_BY, reverse: bool = False, **fields: str) -> str:  # fmt: skip
    """Add a node under ``parent`` (or, ``reverse``, one that challenges ``parent``)."""
    if not reverse:
        return argument.add_node(actor=actor, product=product, revision=_revision(product),
                                 kind=kind, text=text, parent=parent, link=link,
                                 **fields).id  # fmt: skip
    node = argument.add_node(
        actor=actor, product=product, revision=_revision(product), kind=kind, text=text, **fields
    )
    argument.link_nodes(actor=actor, product=product, revision=_revision(product),
                        source=node.id, target=parent, link=link)  # fmt: skip
    return node.id


def _revision(product: Product) -> int:
    return argument.argument_of(product).revision
