"""`clinsafe check-argument --file`: an argument kept in a repository, checked in CI by the
same checks as on the server, on a fresh checkout with no database at all."""

import json
import os
import subprocess

import pytest

from tests.servers import CLINSAFE

CLEAN = """\
G1:
  text: MedsFlow is acceptably safe for its intended use.
  supportedBy: [S1]
  inContextOf: [C1]
C1:
  text: Intended use, as the Clinical Risk Management Plan states it.
S1:
  text: Argue over each identified hazard.
  supportedBy: [G2]
CG1:
  text: Engineers alone identified the hazards.
  challenges: [S1]
  defeated: true
Sn0:
  text: Minutes of the clinical hazard workshop.
  challenges: [CG1]
G2:
  text: The residual risk of H-001 is acceptable.
  supportedBy: [Sn1, Sn2]
Sn1:
  text: System test report.
Sn2:
  text: Usability study.
CG2:
  text: The usability study left out paediatric doses.
  challenges: [G2]
  defeated: true
Sn3:
  text: Paediatric dose tasks added to the study.
  challenges: [CG2]
"""


@pytest.fixture
def check(tmp_path):
    """Run the command as CI would: a fresh data folder, never migrated."""
    env = {**os.environ, "CLINSAFE_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)

    def run(*files, json_out=False):
        paths = []
        for number, text in enumerate(files):
            path = tmp_path / f"part{number}.gsn.yaml"
            path.write_text(text)
            paths.append(str(path))
        args = [*CLINSAFE, "check-argument", "--file", *paths, *(["--json"] if json_out else [])]
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120,
                              check=False)  # fmt: skip

    return run


def test_a_clean_argument_file_exits_0_without_a_database(check, tmp_path):
    done = check(CLEAN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "10 nodes, 0 errors" in done.stdout
    assert not (tmp_path / "data" / "db.sqlite3").exists()  # never migrated, never opened


def test_errors_exit_1_naming_the_file_line_and_rule(check):
    broken = CLEAN.replace("  defeated: true\nSn3:", "Sn3:")  # CG2 is left open
    done = check(broken, json_out=True)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    (error,) = [f for f in report["findings"] if f["severity"] == "error"]
    assert (error["rule"], error["node"], error["line"]) == ("open-doubt", "CG2", 24)
    assert error["file"].endswith("part0.gsn.yaml")


def test_a_rule_the_file_breaks_outright_exits_1_with_its_line(check):
    done = check("G1:\n  text: Safe.\n  defeated: true\n")
    assert done.returncode == 1
    assert done.stdout.strip().endswith(
        "part0.gsn.yaml:3: ERROR defeated-unchallenged: G1 is marked defeated, but nothing "
        "challenges it"
    )


def test_a_file_that_is_not_an_argument_exits_2(check):
    done = check("G1: [unclosed")
    assert done.returncode == 2
    assert "not valid YAML" in done.stderr


def test_an_argument_in_two_files_is_checked_as_one(check):
    top, rest = CLEAN.split("S1:\n", 1)
    done = check("module:\n  name: top\n  uses: [hazards]\n" + top,
                 "module:\n  name: hazards\nS1:\n" + rest)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "10 nodes, 0 errors" in done.stdout


def test_gsn_v3_dialectic_lets_a_counter_claim_be_argued_and_a_counter_solution_rebut(check):
    argued = (
        CLEAN.replace(
            "CG2:\n  text: The usability study left out paediatric doses.\n",
            "CG2:\n  text: The usability study left out paediatric doses.\n  supportedBy: [Sn4]\n",
        )
        + "Sn4:\n  text: The study's task list.\nSn5:\n  text: An incident.\n  challenges: [G2]\n"
    )
    done = check(argued, json_out=True)
    findings = json.loads(done.stdout)["findings"]
    assert not {f["rule"] for f in findings} & {"link-kind", "leaf-children", "unreachable"}
    # The counter-solution stands against G2 until something answers it.
    assert [f["message"] for f in findings if f["node"] == "Sn5"] == [
        "Counter-evidence Sn5 challenges G2, and nothing answers it."
    ]


def test_where_clinsafe_is_stricter_than_gsn_the_finding_says_so(check):
    done = check(CLEAN + "C9:\n  text: A context nothing refers to.\n", json_out=True)
    (stray,) = [f for f in json.loads(done.stdout)["findings"] if f["node"] == "C9"]
    assert stray["rule"] == "unreachable" and stray["line"] == 31
    assert "clinsafe asks more than GSN here: GSN lets a node" in stray["action"]
