"""`clinsafe import-hazard-log`, `export-hazard-log` and the bundle commands."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from clinsafe.deployments.models import SupplierBundle
from clinsafe.hazards.models import Hazard
from tests.conftest import make_person
from tests.gate.conftest import assessed
from tests.reports.conftest import workbook_bytes

pytestmark = pytest.mark.django_db


def run(capsys, *args):
    """The command's exit code and output."""
    with pytest.raises(SystemExit) as exited:
        call_command(*args)
        raise SystemExit(0)
    return exited.value.code, capsys.readouterr().out


def test_a_dry_run_prints_what_would_be_created_as_json(cso, product, untidy_log, tmp_path,
                                                        capsys):  # fmt: skip
    path = tmp_path / "log.xlsx"
    path.write_bytes(untidy_log)
    code, out = run(capsys, "import_hazard_log", str(path), "--product", "medsflow",
                    "--dry-run", "--json")  # fmt: skip
    result = json.loads(out)
    assert code == 0
    assert (result["hazards"], result["controls"], result["problems"]) == (3, 4, [])
    assert result["rating_mismatches"] == [
        {"hazard": "H-002", "row": 8, "stage": "initial", "stated": "5", "computed": 4}
    ]
    assert Hazard.objects.count() == 0


def test_an_import_prints_each_hazard_created(cso, product, untidy_log, tmp_path, capsys):
    path = tmp_path / "log.xlsx"
    path.write_bytes(untidy_log)
    code, out = run(capsys, "import_hazard_log", str(path), "--product", "medsflow",
                    "--by", "priya")  # fmt: skip
    assert code == 0
    assert "Created 3 hazards and 4 controls in MedsFlow." in out
    assert "  H-002 (2) Allergy alert not shown (row 8)" in out
    assert "  H-002 initial (row 8): stated 5, matrix 4" in out
    assert Hazard.objects.count() == 3


def test_a_failed_import_exits_1_lists_every_problem_and_writes_nothing(cso, product, tmp_path,
                                                                        capsys):  # fmt: skip
    path = tmp_path / "log.xlsx"
    path.write_bytes(workbook_bytes([{"A": 1, "D": "Dose wrong", "M": "Huge", "N": "Low"},
                                     {"A": 2, "D": "Alert lost", "N": "Low"}]))  # fmt: skip
    code, out = run(capsys, "import_hazard_log", str(path), "--product", "medsflow",
                    "--by", "priya", "--json")  # fmt: skip
    result = json.loads(out)
    assert code == 1
    assert [(p["row"], p["field"]) for p in result["problems"]] == [
        (5, "initial severity"),
        (6, "initial severity"),
    ]
    assert result["imported"] is False and Hazard.objects.count() == 0


def test_an_import_must_name_who_imports(cso, product, untidy_log, tmp_path):
    path = tmp_path / "log.xlsx"
    path.write_bytes(untidy_log)
    with pytest.raises(CommandError, match="--by USERNAME"):
        call_command("import_hazard_log", str(path), "--product", "medsflow")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_export_writes_the_hazard_log_in_each_format(cso, product, tmp_path, fmt, capsys):
    assessed(product, cso, initial=(4, 3), residual=(4, 1), title="Dose in wrong unit")
    path = tmp_path / f"log.{fmt}"
    call_command("export_hazard_log", "--product", "medsflow", "--format", fmt,
                 "--output", str(path))  # fmt: skip
    assert "Wrote 1 hazards and 0 controls of MedsFlow" in capsys.readouterr().out
    content = path.read_bytes()
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content))["Hazard Log"]
        row = [c.value for c in sheet[2]]
        assert row[0] == "H-001" and row[3] == "Dose in wrong unit"
        # Ratings are numbers, coloured as the NHS template colours them; dates are dates.
        assert row[9:12] == ["Major", "Medium", 3]
        assert sheet["L2"].fill.fgColor.rgb == "00FABF8F" and sheet["C2"].is_date
    elif fmt == "csv":
        lines = content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("Hazard No.,File Reference,Date Added,Hazard Name")
        assert lines[1].startswith("H-001,")
    else:
        data = json.loads(content)
        assert data["hazards"][0]["residual"] == {
            "severity": "Major", "likelihood": "Very low", "rating": 2,
            "rationale": "Severity lowered by design.",
        }  # fmt: skip


def test_bundles_move_between_organisations_on_the_command_line(cso, release, elsewhere,
                                                                tmp_path, capsys):  # fmt: skip
    make_person("rita", elsewhere, "cso", "Rita Shah")
    path = tmp_path / "bundle.json"
    call_command("export_supplier_bundle", "--product", "medsflow", "--release", "2.4.0",
                 "--output", str(path))  # fmt: skip
    call_command("import_supplier_bundle", str(path), "--organisation", elsewhere.slug,
                 "--by", "rita")  # fmt: skip
    assert "Imported Northwind Health MedsFlow 2.4.0" in capsys.readouterr().out
    assert SupplierBundle.objects.get().organisation == elsewhere
    path.write_text(path.read_text().replace('"2.4.0"', '"9.9.9"', 1))
    with pytest.raises(CommandError, match="Manifest: the release part"):
        call_command("import_supplier_bundle", str(path), "--organisation", elsewhere.slug,
                     "--by", "rita")  # fmt: skip


def test_a_migration_from_a_spreadsheet_is_scripted_end_to_end(charlie, tmp_path, capsys):
    from tests.reports.conftest import GP_CONNECT

    call_command("create_product", "gpc", "GP Connect consumer", "--organisation", "elsewhere",
                 "--intended-use", "Viewing GP records", "--by", "charlie")  # fmt: skip
    assert "Created GP Connect consumer (gpc) in" in capsys.readouterr().out
    code, out = run(capsys, "import_hazard_log", str(GP_CONNECT), "--product", "gpc",
                    "--dry-run", "--json", "--by", "charlie")  # fmt: skip
    assert code == 0 and json.loads(out)["hazards"] == 53 and Hazard.objects.count() == 0
    code, out = run(capsys, "import_hazard_log", str(GP_CONNECT), "--product", "gpc",
                    "--number-by-file", "--by", "charlie")  # fmt: skip
    assert code == 0 and "  H-002 (2) Inconsistencies on the coding of allergies" in out
    path = tmp_path / "gpc.xlsx"
    call_command("export_hazard_log", "--product", "gpc", "--format", "xlsx",
                 "--output", str(path))  # fmt: skip
    book = load_workbook(path)
    assert book.sheetnames == ["Hazard Log", "Controls", "Risk Matrix"]
    assert book["Hazard Log"]["A2"].value == "H-002" and book["Hazard Log"]["B2"].value == "2"


def test_a_product_the_organisation_cannot_have_is_refused_naming_the_field(charlie, capsys):
    call_command("create_product", "gpc", "GP Connect", "--organisation", "elsewhere",
                 "--by", "charlie")  # fmt: skip
    with pytest.raises(
        CommandError, match="slug: Product with this Web address name already exists"
    ):
        call_command("create_product", "gpc", "Again", "--organisation", "elsewhere",
                     "--by", "charlie")  # fmt: skip


def test_import_sound_passes_over_the_rows_it_lists(cso, product, tmp_path, capsys):
    path = tmp_path / "log.xlsx"
    path.write_bytes(workbook_bytes([
        {"A": 1, "D": "Dose wrong", "M": "Major", "N": "Low"},
        {"A": 2, "D": "Alert lost", "M": "Major", "N": "Sometimes"},
    ]))  # fmt: skip
    code, out = run(capsys, "import_hazard_log", str(path), "--product", "medsflow",
                    "--by", "priya")  # fmt: skip
    assert code == 1 and "--import-sound imports the rest" in out
    code, out = run(capsys, "import_hazard_log", str(path), "--product", "medsflow",
                    "--import-sound", "--by", "priya")  # fmt: skip
    assert code == 0 and "Created 2 hazards" in out
    assert "row 6 initial likelihood: 'Sometimes' is not a likelihood" in out
    assert "So the hazard is imported without this row's initial risk." in out
