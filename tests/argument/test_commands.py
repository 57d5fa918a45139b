"""`clinsafe import-argument`, `export-argument` and `check-argument`, as a CSO runs them."""

import json

import pytest
from django.core.management import CommandError, call_command

from clinsafe.argument.services import argument_of
from clinsafe.audit.models import AuditEvent
from tests.argument.test_yaml import GSN2X
from tests.conftest import argue_for
from tests.gate.conftest import assessed

pytestmark = pytest.mark.django_db


def check(capsys, *args):
    with pytest.raises(SystemExit) as exited:
        call_command("check_argument", "--product", "medsflow", *args)
        raise SystemExit(0)
    return exited.value.code, capsys.readouterr().out


def test_check_argument_prints_every_finding_and_exits_1_on_errors(cso, product, capsys):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    code, out = check(capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "MedsFlow safety argument (revision 1): 2 errors, 0 warnings, 0 of 0 doubts eliminated."
    )
    assert "ERROR    top-claim" in out
    code, out = check(capsys, "--json")
    report = json.loads(out)
    assert code == 1
    assert [f["rule"] for f in report["findings"]] == ["top-claim", "hazard-uncovered"]


def test_check_argument_exits_0_when_the_release_argument_has_no_errors(
    cso, tom, product, release, capsys
):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    argue_for(release, cso, tom)
    code, out = check(capsys, "--release", "2.4.0", "--json")
    assert code == 0
    assert json.loads(out)["errors"] == 0
    with pytest.raises(CommandError, match=r"MedsFlow has no release '9\.9'"):
        call_command("check_argument", "--product", "medsflow", "--release", "9.9")


def test_import_then_export_round_trips_and_a_bad_file_changes_nothing(cso, product, tmp_path):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    source = tmp_path / "argument.gsn.yaml"
    source.write_text(GSN2X)
    call_command("import_argument", str(source), "--product", "medsflow", "--by", "priya")
    imported = argument_of(product).document
    out = tmp_path / "out.yaml"
    call_command("export_argument", "--product", "medsflow", "--output", str(out))
    call_command("import_argument", str(out), "--product", "medsflow", "--by", "priya")
    assert argument_of(product).document == imported
    bad = tmp_path / "bad.yaml"
    bad.write_text("G1:\n  text: A\n  supportedBy: [S9]\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_argument", str(bad), "--product", "medsflow", "--by", "priya")
    assert f"{bad}:3: G1.supportedBy names 'S9', which is not a node in the file" in str(
        refused.value
    )
    assert argument_of(product).document == imported
    assert AuditEvent.objects.filter(event_type="argument.imported").count() == 2


def test_import_names_an_artefact_the_product_does_not_have(cso, product, tmp_path):
    source = tmp_path / "a.yaml"
    source.write_text(
        "G1:\n  text: A\n  supportedBy: Sn1\nSn1:\n  text: R\n  artefact: AR-007 v1\n"
    )
    with pytest.raises(CommandError, match=r"a\.yaml:4: Sn1 points at AR-007 v1, which is not "
                       "recorded for MedsFlow"):  # fmt: skip
        call_command("import_argument", str(source), "--product", "medsflow", "--by", "priya")


def test_import_is_refused_to_someone_who_may_not_edit_the_argument(helen, product, tmp_path):
    source = tmp_path / "a.yaml"
    source.write_text(GSN2X)
    with pytest.raises(CommandError, match="You may not build the safety argument"):
        call_command("import_argument", str(source), "--product", "medsflow", "--by", "helen")
