"""A process killed in the middle of a multi-record write leaves the database as it was:
the demo load (hundreds of records and audit events in one transaction) is killed with
SIGKILL part-way through."""

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.audit.test_backup import database
from tests.servers import CLINSAFE

pytestmark = pytest.mark.own_database


def test_a_write_killed_part_way_leaves_the_database_as_before(tmp_path):
    clinsafe = database(tmp_path)
    env = {
        **os.environ,
        "CLINSAFE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CLINSAFE_AUDIT_KEY": "backup-test-audit-key",
    }
    writer = subprocess.Popen([*CLINSAFE, "seed-demo"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    # Wait until the load holds its write transaction, let it write for a while, kill it.
    while not _write_locked(tmp_path / "db.sqlite3"):
        assert writer.poll() is None, "the load finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.5)
    assert writer.poll() is None, "the load finished before it could be killed"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table in ("core_organisation", "hazards_hazard", "audit_auditevent", "auth_user"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table  # noqa: S608
    assert clinsafe("verify-audit").stdout.strip() == "All 0 audit events verify."
    # Nothing is left locked or half-made: the same load now runs to the end.
    assert "Demo product" in clinsafe("seed-demo").stdout


def _write_locked(path):
    """Whether another process holds a write transaction on the database."""
    db = sqlite3.connect(path, timeout=0)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        db.close()
