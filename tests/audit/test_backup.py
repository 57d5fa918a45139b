"""`clinsafe backup` and `clinsafe restore`, run as an operator would, between two
databases: the restored audit chain verifies and every record matches."""

import hashlib
import json
import os
import sqlite3
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


# Django's bookkeeping, remade by migrate (content types, permissions) or disposable
# (sessions, the worker's task results); sqlite_* are SQLite's own.
NOT_BACKED_UP = {"django_migrations", "django_content_type", "auth_permission", "django_session",
                 "django_tasks_database_dbtaskresult"}  # fmt: skip


def every_table(folder):
    """Every row of every table of the database in ``folder``, by table."""
    with sqlite3.connect(folder / "db.sqlite3") as db:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)  # noqa: S608
            for name in names
            if name not in NOT_BACKED_UP and not name.startswith("sqlite_")
        }


def test_a_restored_database_holds_every_row_of_every_table(backed_up, tmp_path):
    clinsafe = database(tmp_path)
    restored = clinsafe("restore", str(backed_up))
    assert restored.stdout.strip().endswith("the audit trail verifies.")
    assert clinsafe("verify-audit").stdout.startswith("All ")
    before, after = every_table(backed_up.parent), every_table(tmp_path)
    assert before.keys() == after.keys()
    differing = [name for name in before if before[name] != after[name]]
    assert differing == []
    # The records the first backup left out are there, issued PDFs byte for byte.
    for table in ("incidents_incident", "argument_argument", "argument_artefact",
                  "reports_issueddocument", "deployments_deployment",
                  "deployments_supplierbundle"):  # fmt: skip
        assert after[table], f"{table} is empty"


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


def test_documents_queued_for_issuing_at_the_backup_are_queued_again_on_restore(
    backed_up, tmp_path
):
    # A backup made while the worker had not yet issued a release's documents.
    bundle = zipfile.ZipFile(backed_up)
    manifest, data = json.loads(bundle.read("manifest.json")), records(backed_up)
    issuing = next(r for r in data if r["model"] == "reports.documentissuing")
    issuing["fields"]["state"] = "queued"
    content = json.dumps(data).encode()
    manifest["sha256"] = hashlib.sha256(content).hexdigest()
    queued = tmp_path / "queued.zip"
    with zipfile.ZipFile(queued, "w") as out:
        out.writestr("manifest.json", json.dumps(manifest))
        out.writestr("data.json", content)
    target = tmp_path / "restored"
    target.mkdir()
    database(target)("restore", str(queued))
    with sqlite3.connect(target / "db.sqlite3") as db:
        tasks = db.execute(
            "SELECT task_path, args_kwargs FROM django_tasks_database_dbtaskresult"
        ).fetchall()
    assert [(path, json.loads(args)["args"]) for path, args in tasks] == [
        ("clinsafe.reports.issuing.issue_documents", [issuing["pk"]])
    ]
