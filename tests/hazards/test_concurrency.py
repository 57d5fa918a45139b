"""Concurrent edits of one hazard from many threads, on PostgreSQL."""

import json
import os
import secrets
import subprocess
import sys

import psycopg
import pytest
from django.db import connection


@pytest.fixture
def fresh_postgres_database():
    if connection.vendor != "postgresql":
        pytest.skip("Row locking under concurrency is tested on PostgreSQL (the PG pass).")
    url = os.environ["DATABASE_URL"]
    name = f"concurrency_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_every_concurrent_edit_lands_or_is_refused_and_none_is_lost(fresh_postgres_database):
    run = subprocess.run(
        [sys.executable, "-m", "tests.probes.concurrent_edits"],
        env={**os.environ, "DATABASE_URL": fresh_postgres_database},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["landed"] + outcome["refused"] == 16 * 8
    assert outcome["landed"] >= 1 and outcome["refused"] >= 1  # they really did collide
    # Every landed edit is on the record, in order, and nothing else is.
    assert outcome["version"] == 1 + outcome["landed"]
    assert sorted(outcome["edited_titles"]) == outcome["landed_titles"]
    assert outcome["final_title"] == outcome["edited_titles"][-1]
    assert outcome["chain_ok"] is True
