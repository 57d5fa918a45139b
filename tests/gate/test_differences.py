"""What changed between two snapshots, as a CSO reads it."""

from clinsafe.gate.differences import item_changes, snapshot_changes


def hazard(reference="H-001", **fields):
    return {"reference": reference, "title": "Dose shown in the wrong unit", "version": 1,
            "status": "open", "controls": [], "residual": None, **fields}  # fmt: skip


def test_a_hazards_changes_are_said_field_by_field_with_before_and_after():
    before = hazard(controls=[{"reference": "C-001", "version": 1, "status": "implemented"}],
                    residual={"id": 4, "severity": 4, "likelihood": 2, "rating": 3})  # fmt: skip
    after = hazard(
        version=2, status="controlled", description="A long description " * 5,
        controls=[{"reference": "C-001", "version": 2, "status": "verified"},
                  {"reference": "C-002", "version": 1, "status": "proposed"}],
        residual={"id": 9, "severity": 4, "likelihood": 1, "rating": 2},
    )  # fmt: skip
    assert item_changes(before, after) == [
        "C-001 status from implemented to verified",
        "C-002 added",
        "description",  # too long to quote: named only
        "residual risk from 3 to 2",
        "status from open to controlled",
    ]


def test_a_re_assessment_to_the_same_rating_says_so_and_a_new_version_alone_is_no_change():
    before = hazard(controls=[{"reference": "C-001", "version": 1, "status": "verified"}],
                    residual={"id": 4, "severity": 4, "likelihood": 2, "rating": 3})  # fmt: skip
    after = hazard(controls=[{"reference": "C-001", "version": 2, "status": "verified"}],
                   residual={"id": 7, "severity": 3, "likelihood": 3, "rating": 3})  # fmt: skip
    assert item_changes(before, after) == ["residual risk re-assessed, still rated 3"]


def test_a_snapshot_says_which_hazards_came_went_and_changed_and_what_else_moved():
    signed = {"hazards": [hazard(), hazard("H-002", title="Wrong patient")],
              "release": {"version": "2.4.0", "components": {"web": "2.4.0"}},
              "argument": "abc"}  # fmt: skip
    current = {"hazards": [hazard(status="controlled"), hazard("H-003", title="Alert lost")],
               "release": {"version": "2.4.0", "components": {"web": "2.4.1"}},
               "argument": "def"}  # fmt: skip
    assert snapshot_changes(signed, current) == [
        "H-001 Dose shown in the wrong unit: status from open to controlled.",
        "H-003 Alert lost was added to the hazard log.",
        "H-002 Wrong patient is no longer in the hazard log.",
        "The release: components.",
        "The safety argument put forward for the release changed.",
    ]
