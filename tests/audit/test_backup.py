"""`clinsafe backup` and `clinsafe restore`, run as an operator would, between two
databases: the restored audit chain verifies and every record matches."""

import json
import os
import subprocess
import zipfile

import pytest

from tests.servers import CLINSAFE

pytestmark = pytest.mark.own_database


def database(path, key="backup-test-audit-key"):
    env = {
        **os.environ,
        "CLINSAFE_DATA_DIR": str(path),
        "DATABASE_URL": f"sqlite:///{path / 'db.sqlite3'}",
        "CLINSAFE_AUDIT_KEY": key,
    }

    def clinsafe(*args, check=True):
        return subprocess.run([*CLINSAFE, *args], env=env, capture_output=True, text=True,
                              timeout=300, check=check)  # fmt: skip

    clinsafe("migrate", "-v0")
    return clinsafe


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    source = tmp_path_factory.mktemp("source")
    clinsafe = database(source)
    clinsafe("seed-demo")
    out = clinsafe("backup", str(source / "bundle.zip")).stdout
    assert out.startswith("Wrote ") and "records to" in out
    return source / "bundle.zip"


def records(bundle):
    return json.loads(zipfile.ZipFile(bundle).read("data.json"))


def test_a_restored_database_verifies_and_matches_record_for_record(backed_up, tmp_path):
    clinsafe = database(tmp_path)
    restored = clinsafe("restore", str(backed_up))
    assert restored.stdout.strip().endswith("the audit trail verifies.")
    assert clinsafe("verify-audit").stdout.startswith("All ")
    clinsafe("backup", str(tmp_path / "again.zip"))
    assert records(tmp_path / "again.zip") == records(backed_up)
    assert len(records(backed_up)) > 300


def test_restore_refuses_a_database_that_is_not_empty(backed_up, tmp_path):
    clinsafe = database(tmp_path)
    clinsafe("restore", str(backed_up))
    again = clinsafe("restore", str(backed_up), check=False)
    assert again.returncode == 1
    assert "The database is not empty" in again.stderr


def test_restore_refuses_a_damaged_bundle_and_restores_nothing(backed_up, tmp_path):
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(backed_up) as original, zipfile.ZipFile(damaged, "w") as copy:
        copy.writestr("manifest.json", original.read("manifest.json"))
        copy.writestr("data.json", original.read("data.json").replace(b"Dose", b"Dise", 1))
    clinsafe = database(tmp_path)
    refused = clinsafe("restore", str(damaged), check=False)
    assert "is damaged: its data does not match its SHA-256" in refused.stderr
    assert clinsafe("verify-audit").stdout.strip() == "All 0 audit events verify."


def test_restore_with_another_audit_key_restores_nothing(backed_up, tmp_path):
    clinsafe = database(tmp_path, key="a-different-key")
    refused = clinsafe("restore", str(backed_up), check=False)
    assert refused.returncode == 1
    assert "does not verify" in refused.stderr and "nothing was restored" in refused.stderr
    assert clinsafe("verify-audit").stdout.strip() == "All 0 audit events verify."
