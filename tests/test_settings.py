"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys


def settings_of(tmp_path, **env):
    code = (
        "import json, clinsafe.settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
        "'name': str(s.DATABASES['default']['NAME']), 'debug': s.DEBUG}))"
    )
    environ = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "CLINSAFE_DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=False
    )


def test_sqlite_in_the_data_folder_is_the_default(tmp_path):
    out = settings_of(tmp_path)
    assert out.returncode == 0, out.stderr
    assert '"engine": "django.db.backends.sqlite3"' in out.stdout
    assert f'"name": "{tmp_path}/clinsafe.sqlite3"' in out.stdout


def test_database_url_selects_postgresql(tmp_path):
    out = settings_of(tmp_path, DATABASE_URL="postgres://u:p@127.0.0.1:5433/clinsafe")
    assert '"engine": "django.db.backends.postgresql"' in out.stdout


def test_production_needs_a_secret_key_and_an_audit_key(tmp_path):
    out = settings_of(tmp_path, CLINSAFE_ENV="production")
    assert out.returncode != 0
    assert (
        "CLINSAFE_SECRET_KEY (or a key file at CLINSAFE_SECRET_KEY_FILE) must be set when "
        "CLINSAFE_ENV=production." in out.stderr
    )
    out = settings_of(tmp_path, CLINSAFE_ENV="production", CLINSAFE_SECRET_KEY="x" * 60)
    assert "CLINSAFE_AUDIT_KEY (or a key file at CLINSAFE_AUDIT_KEY_FILE) must be set" in out.stderr


def test_production_refuses_a_short_audit_key(tmp_path):
    out = settings_of(
        tmp_path, CLINSAFE_ENV="production", CLINSAFE_SECRET_KEY="x" * 60, CLINSAFE_AUDIT_KEY="k"
    )
    assert out.returncode != 0
    assert "CLINSAFE_AUDIT_KEY is 1 bytes: in production it must be at least 32" in out.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(
        CLINSAFE_DATA_DIR=str(tmp_path),
        CLINSAFE_ENV="production",
        CLINSAFE_SECRET_KEY="a-long-random-production-secret-" + "q8Zr4Kx1Lp9Vt2Bn" * 3,
        CLINSAFE_AUDIT_KEY="audit-key-for-the-test-" + "m3Wq7Hs2" * 2,
        CLINSAFE_ALLOWED_HOSTS="clinsafe.example.org",
    )
    out = subprocess.run(
        [sys.executable, "-m", "clinsafe.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "System check identified no issues" in out.stdout


def test_a_bad_flag_is_named(tmp_path):
    out = settings_of(tmp_path, CLINSAFE_DEBUG="maybe")
    assert "CLINSAFE_DEBUG must be 1 or 0 (true/false), not 'maybe'." in out.stderr


def test_the_default_sqlite_database_runs_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(CLINSAFE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="clinsafe.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    assert out.stdout.strip() == "wal"
