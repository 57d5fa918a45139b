"""The argument as gsn2x YAML: round trip, existing GSN work, and files refused by line."""

import pytest

from clinsafe.argument.graph import DefeaterKind, DoubtStatus, Kind, to_document
from clinsafe.argument.gsn_yaml import ArgumentFileError, dump, parse

GSN2X = """
G1:
  text: The system is acceptably safe
  supportedBy: [S1]
  inContextOf: C1
C1:
  text: Adult inpatient wards
S1:
  text: Argument over hazards
  supportedBy: [G2]
G2:
  text: Wrong patient is mitigated
  supportedBy: Sn1
  hazard: H-001
  residualRating: 2
Sn1:
  text: Test report
  url: https://example.org/report
CG1:
  text: Tests never ran at night
  challenges: G2
  defeated: true
G3:
  text: Night runs were added
  challenges: CG1
  undeveloped: true
"""


def test_a_gsn2x_file_with_the_dialectic_extension_reads_as_an_argument():
    argument = parse(GSN2X).argument
    assert [(n.id, n.kind) for n in argument.nodes] == [
        ("G1", Kind.CLAIM), ("C1", Kind.CONTEXT), ("S1", Kind.STRATEGY), ("G2", Kind.CLAIM),
        ("Sn1", Kind.EVIDENCE), ("CG1", Kind.DEFEATER), ("G3", Kind.CLAIM),
    ]  # fmt: skip
    doubt = argument.node("CG1")
    assert (doubt.defeater_kind, doubt.status) == (DefeaterKind.REBUTTING, DoubtStatus.ELIMINATED)
    assert argument.node("G2").residual_rating == 2
    assert argument.node("G3").declaration == "undeveloped"


def test_export_then_import_gives_the_same_argument():
    argument = parse(GSN2X).argument
    text = dump(argument)
    again = parse(text).argument
    assert to_document(again) == to_document(argument)
    assert dump(again) == text


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("G1: [unclosed", ["line 1: not valid YAML: expected ',' or ']', but got '<stream end>'"]),
        ("", ["line 1: the file is empty; it must map node ids to nodes"]),
        ("- G1\n", ["line 1: the file must map node ids to nodes (e.g. 'G1: {text: ...}')"]),
        ("G1:\n  text: A\n  supportedBy: [S9]\n",
         ["line 3: G1.supportedBy names 'S9', which is not a node in the file"]),
        ("X1:\n  text: A\n", ["line 1: the type of X1 is unknown: start its id with G, S, Sn, "
                              "C, A, J or CG, or give nodeType"]),
        ("G1:\n  supportedBy: []\n", ["line 1: G1 has no text"]),
        ("G1:\n  text: A\n  residualRating: 9\n",
         ["line 3: G1.residualRating 9 is not a rating from 1 to 5"]),
        ("G1:\n  text: A\nG1:\n  text: B\n", ["line 3: node G1 is defined twice"]),
        ("CG1:\n  text: A\n  status: ignored\n",
         ["line 3: CG1.status 'ignored' is not one of: open, eliminated, sustained, accepted "
          "as residual"]),
        ("G1:\n  text: A\n  note: " + "[" * 600 + "]" * 600 + "\n",
         ["line 3: not valid YAML: lists and mappings may not be nested more than 50 deep"]),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_valid_argument_is_refused_with_line_and_reason(text, problems):
    with pytest.raises(ArgumentFileError) as refused:
        parse(text)
    assert [str(p) for p in refused.value.problems] == problems
