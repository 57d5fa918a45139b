"""`clinsafe export-incident-log`."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_writes_the_incident_log(product, sam, tmp_path, fmt, capsys):
    report(product, sam, title="Dose shown in mg")
    path = tmp_path / f"incidents.{fmt}"

    call_command("export_incident_log", "--product", "medsflow", "--format", fmt,
                 "--output", str(path))  # fmt: skip

    assert "Wrote 1 incidents of MedsFlow" in capsys.readouterr().out
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(path.read_bytes()))
        assert book.sheetnames == ["Incident Log", "Actions"]
        assert [c.value for c in book["Incident Log"][2]][:4] == [
            "I-001", "MedsFlow", None, "Dose shown in mg",
        ]  # fmt: skip
    else:
        assert path.read_text(encoding="utf-8-sig").splitlines()[1].startswith("I-001,MedsFlow")
