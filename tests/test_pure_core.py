"""The pure core (the risk matrix, the gate's decision, the argument checks, the health
needs, the documents' blocks) runs as plain Python: `lint-imports` checks its import graph
against the contract in pyproject.toml, and this runs each of its modules alone."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CONTRACTS = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
(PURE,) = [c for c in CONTRACTS if c["name"].startswith("The pure core")]


@pytest.mark.parametrize("module", PURE["source_modules"])
def test_each_module_of_the_pure_core_runs_without_django(module):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith('django')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
