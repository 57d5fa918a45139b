"""`clinsafe gate` run as a pipeline would, against a running clinsafe server that holds the
demo: release 2.4.0 approved, 2.4.1 blocked, 2.5.0 blocked by its argument, 2.3.0 released over a
block."""

import json
import subprocess

import pytest

from tests.servers import CLINSAFE, demo_server

pytestmark = pytest.mark.own_database


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("server")) as running:
        yield running.url, running.clinsafe("create-token", "engineer").strip()


def gate(server, version, *extra, token=None):
    url, key = server
    completed = subprocess.run(
        [*CLINSAFE, "gate", "--server", url, "--token", token or key,
         "--product", "demo-eprescribing", "--release", version, *extra],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return completed.returncode, completed.stdout, completed.stderr


def test_an_approved_release_exits_0_with_its_sign_off(server):
    code, out, _err = gate(server, "2.4.0")
    assert code == 0
    assert out.splitlines()[0] == "demo-eprescribing 2.4.0: APPROVED"
    assert "Signed off by Priya Shah (Clinical Safety Officer)" in out
    assert "(current)" in out


def test_a_blocked_release_exits_1_with_the_csos_reasons(server):
    code, out, _err = gate(server, "2.4.1")
    assert code == 1
    assert out.splitlines()[0] == "demo-eprescribing 2.4.1: BLOCKED (Blocked by the CSO)"
    assert "[STOP] No open CSO block: Blocked by Priya Shah" in out


def test_a_release_its_argument_blocks_exits_1_saying_what_is_missing(server):
    code, out, _err = gate(server, "2.5.0")
    assert code == 1
    assert out.splitlines()[0] == "demo-eprescribing 2.5.0: BLOCKED (Rules not met)"
    assert (
        "[STOP] The safety argument put forward for the release has no errors: The argument "
        "put forward for 2.5.0 has 2 errors: Doubt D2 (“The redesigned discharge"
    ) in out
    assert "[TODO] A current CSO sign-off: The CSO has not signed off this release." in out


def test_a_release_over_a_block_exits_0_and_says_it_was_overridden(server):
    code, out, _err = gate(server, "2.3.0")
    assert code == 0
    assert out.splitlines()[0] == (
        "demo-eprescribing 2.3.0: APPROVED BY OVERRIDE (over the CSO's position) (Released)"
    )
    assert "OVERRIDE by Helen Ward" in out


def test_json_prints_the_apis_answer(server):
    code, out, _err = gate(server, "2.3.0", "--json")
    answer = json.loads(out)
    assert code == 0
    assert (answer["decision"], answer["approved_by_override"]) == ("approved", True)
    assert answer["blocks"][0]["open"] is True
    assert answer["frozen"] is True


def test_usage_and_connection_errors_exit_2(server):
    code, _out, err = gate(server, "9.9.9")
    assert (code, "answered 404" in err) == (2, True)
    code, _out, err = gate(server, "2.4.0", token="not-a-token")
    assert code == 2
    assert err.strip().endswith("answered 401: Invalid or revoked token.")
    code, _out, err = gate(("http://127.0.0.1:9", "x"), "2.4.0")
    assert (code, "could not ask" in err) == (2, True)
    missing = subprocess.run([*CLINSAFE, "gate", "--server", server[0]], capture_output=True,
                             text=True, check=False)  # fmt: skip
    assert missing.returncode == 2
    assert "the following arguments are required: --product, --release" in missing.stderr
    code, _out, err = gate(("file:///etc/passwd", "x"), "2.4.0")
    assert (code, err.strip()) == (
        2, "clinsafe gate: --server must be an http:// or https:// address."
    )  # fmt: skip
