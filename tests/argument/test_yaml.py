"""The argument as gsn2x YAML: round trip, existing GSN work, and files refused by line."""

import pytest

from clinsafe.argument.graph import DefeaterKind, DoubtStatus, Kind, to_document
from clinsafe.argument.gsn_yaml import ArgumentFileError, dump, parse, parse_files

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
        ("G1: [unclosed", ["line 2: not valid YAML: did not find expected ',' or ']'"]),
        ("", ["line 1: the file is empty; it must map node ids to nodes"]),
        ("- G1\n", ["line 1: the file must map node ids to nodes (e.g. 'G1: {text: ...}')"]),
        ("G1:\n  text: A\n  supportedBy: [S9]\n",
         ["line 3: G1.supportedBy names 'S9', which is not a node in the file"]),
        ("X1:\n  text: A\n", ["line 1: the type of X1 is unknown: start its id with G, S, Sn, "
                              "C, A, J or CG, or give nodeType"]),
        ("G1:\n  text: A\n  undeveloped: true\n  supportedBy: [Sn1]\nSn1:\n  text: B\n",
         ["line 3: G1 is marked undeveloped, but it is supported (supportedBy): it cannot be "
          "both"]),
        ("G1:\n  text: A\n  defeated: true\n",
         ["line 3: G1 is marked defeated, but nothing challenges it"]),
        ("module:\n  name: top\nmodule:\n  name: again\nG1:\n  text: A\n",
         ["line 3: the module header is given twice; a file has one"]),
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


def test_the_rules_gsn_forbids_are_named_with_the_line():
    with pytest.raises(ArgumentFileError) as refused:
        parse("G1:\n  text: A\n  defeated: true\n  undeveloped: true\n  supportedBy: [Sn1]\n"
              "Sn1:\n  text: B\n")  # fmt: skip
    assert [(p.line, p.rule) for p in refused.value.problems] == [
        (3, "defeated-unchallenged"), (4, "undeveloped-supported")
    ]  # fmt: skip


def test_any_text_is_an_id_and_a_node_may_be_given_by_its_id_alone():
    long_id = "Ziel-über-die-Sicherheit/" + "x" * 150
    argument = parse(
        f"'{long_id}':\n  nodeType: Goal\n  supportedBy: [Sn1]\nSn1:\n  text: Tests.\n"
    ).argument
    assert [n.id for n in argument.nodes] == [long_id, "Sn1"]
    assert argument.by_id[long_id].text == ""
    with pytest.raises(ArgumentFileError, match="not a node id"):
        parse(f"'{'x' * 201}':\n  nodeType: Goal\n")


def test_one_argument_kept_in_several_files_links_across_them():
    top = "module:\n  name: top\n  uses: [hazards]\nG1:\n  text: Safe.\n  supportedBy: [S1]\n"
    hazards = "module:\n  name: hazards\nS1:\n  text: Over the hazards.\n"
    parsed = parse_files([("top.yaml", top), ("hazards.yaml", hazards)])
    assert [(e.source, e.target) for e in parsed.argument.edges] == [("G1", "S1")]
    assert parsed.files == {"G1": "top.yaml", "S1": "hazards.yaml"}
    with pytest.raises(ArgumentFileError) as refused:
        parse_files([("top.yaml", top)])
    assert [(p.file, p.line, p.rule) for p in refused.value.problems] == [
        ("", 3, "dangling-module"), ("", 6, ""),  # one file: no need to name it
    ]  # fmt: skip


EVERY_CONSTRUCT = """\
module:
  name: medsflow
  brief: The top of MedsFlow's argument.
  uses: []
G1:
  text: MedsFlow is acceptably safe.
  supportedBy: [S1]
  inContextOf: [C1, A1, J1]
  acp:
    ACP1: S1
  url: https://example.org/g1
  classes: [top]
  horizontalIndex:
    relative: -1
C1:
  text: Intended use.
  acp:
    ACP2: C1
A1:
  text: Users are trained.
J1:
  text: The standard pattern.
S1:
  text: Over each hazard.
  supportedBy: [G2, G3]
  rankIncrement: 2
G2:
  text: H-001 is acceptable.
  supportedBy: [Sn1]
  defeated: true
  defeatedRelation: Sn1
  reviewer: {name: Tom Okafor, date: 2026-12-01}
G3:
  text: H-002 is acceptable.
  undeveloped: true
Sn1:
  text: System test report.
CG1:
  text: The tests left out paediatric doses.
  supportedBy: [CSn1]
  challenges: [G2]
CSn1:
  text: The test plan.
CG2:
  nodeType: CounterGoal
  text: Decomposing by hazard misses their interaction.
  challenges: [S1 -> G2]
"""


def test_a_round_trip_keeps_every_key_of_a_file_using_all_of_gsn_v3():
    import yaml

    argument = parse(EVERY_CONSTRUCT).argument
    written = yaml.safe_load(dump(argument))
    read = yaml.safe_load(EVERY_CONSTRUCT)
    for name, attributes in read.items():
        assert set(attributes) <= set(written[name]), name  # each key kept
    assert written["module"] == read["module"]
    assert written["G1"]["acp"] == {"ACP1": "S1"}
    assert written["G1"]["horizontalIndex"] == {"relative": -1}
    assert written["G2"]["reviewer"] == {"name": "Tom Okafor", "date": "2026-12-01"}
    assert written["CG2"]["challenges"] == ["S1 -> G2"]
    assert written["CSn1"]["nodeType"] == "CounterSolution"  # evidence for a doubt
    assert written["Sn1"]["nodeType"] == "Solution"
    assert argument.by_id["CG2"].relations == ("S1 -> G2",)
    again = parse(dump(argument)).argument
    assert to_document(again) == to_document(argument)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("G1:\n  text: A\n  supportedBy: [Sn1]\n  acp:\n    ACP1: C9\nSn1:\n  text: B\n",
         "acp-dangling"),
        ("G1:\n  text: A\n  supportedBy: [Sn1]\n  defeatedRelation: G7\nSn1:\n  text: B\n",
         "defeated-relation-missing"),
        ("G1:\n  text: A\n  supportedBy: [Sn1]\nSn1:\n  text: B\nCG1:\n  text: C\n"
         "  challenges: [G1 -> Sn9]\n", "challenged-link-missing"),
    ],
)  # fmt: skip
def test_what_points_at_nothing_is_refused_naming_its_rule_and_line(text, rule):
    with pytest.raises(ArgumentFileError) as refused:
        parse(text)
    assert [p.rule for p in refused.value.problems] == [rule]
    assert refused.value.problems[0].line > 1


def test_a_doubt_about_a_link_is_checked_and_drawn_under_its_far_end():
    from clinsafe.argument.checks import Facts, check
    from clinsafe.argument.diagram import dot_source, outline

    argument = parse(EVERY_CONSTRUCT).argument
    report = check(argument, Facts(records=False))
    open_doubts = [f.message for f in report.findings if f.rule == "open-doubt"]
    assert "Doubt CG2 about the link S1 -> G2 is open." in open_doubts
    assert "unreachable" not in {f.rule for f in report.findings}
    assert 'label="challenges the link S1 -> G2"' in dot_source(argument, report, lambda n: "")
    _roots, outside = outline(argument, report)
    assert outside == []


def test_assurance_claim_points_are_drawn_and_outlined_where_they_are():
    from clinsafe.argument.checks import Facts, check
    from clinsafe.argument.diagram import dot_source, outline

    argument = parse(EVERY_CONSTRUCT).argument
    report = check(argument, Facts(records=False))
    dot = dot_source(argument, report, lambda n: "")
    assert 'label="◆ ACP1"' in dot  # on the link G1 -> S1
    assert "Assurance claim point ACP2" in dot  # on C1 itself
    (top,), _ = outline(argument, report)
    by_id = {child.node.id: child for child in top.children}
    assert by_id["S1"].points == ["ACP1"] and by_id["C1"].points == ["ACP2"]


def test_an_argument_read_from_module_files_is_written_back_as_those_files():
    from clinsafe.argument.gsn_yaml import dump_files

    top = "module:\n  name: top\n  uses: [hazards.yaml]\nG1:\n  text: Safe.\n  supportedBy: [S1]\n"
    rest = "module:\n  name: hazards\nS1:\n  text: Over the hazards.\n  horizontalIndex: 2\n"
    argument = parse_files([("top.yaml", top), ("hazards.yaml", rest)]).argument
    files = dump_files(argument)
    assert [name for name, _ in files] == ["top.yaml", "hazards.yaml"]
    assert files[0][1].startswith("module:\n  name: top\n") and "S1:" not in files[0][1]
    assert "horizontalIndex: 2" in files[1][1]
    again = parse_files(files).argument
    assert to_document(again) == to_document(argument)
