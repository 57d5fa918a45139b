#!/usr/bin/env bash
# Fuzz the whole API with many more examples per operation than CI runs (default 200):
#   bench/fuzz_api.sh [EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
CLINSAFE_FUZZ_EXAMPLES="${1:-200}" exec .venv/bin/pytest tests/e2e/test_api_fuzz.py -p no:cacheprovider
