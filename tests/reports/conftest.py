"""Real published hazard logs (read from the shared fixtures, never copied) and the NHS
template filled in the untidy ways real logs are."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "hazard-logs"
TEMPLATE = FIXTURES / "nhs-hazard-log-template-v3.6.xlsx"
GP_CONNECT = FIXTURES / "gp-connect-consumers-v1.0.xlsx"

# Template columns: A No., C Effect, D Hazard, E Harm, F Causes, G/H existing design control
# and evidence, I/J training, K/L business process, M-P initial severity, likelihood, risk,
# justification, Q/R additional design control, W-Z residual, AA owner, AB status.
UNTIDY_ROWS = [
    # One hazard over three rows, one control per row, its id and text on the first only.
    {
        "A": "001",
        "C": "Dose given ten times too high",
        "D": "Dose shown in the wrong unit",
        "E": "Overdose; death of one patient",
        "F": "Unit conversion bug",
        "G": "Units shown beside every dose",
        "H": "Test report TR-1",
        "M": "Major",
        "N": "Medium",
        "O": 3,
        "P": "Seen in similar systems",
        "W": "Major",
        "X": "Very Low",
        "Y": 2,
        "Z": "Units checked by pharmacy",
        "AB": "Open",
    },
    {"I": "Prescriber training on units", "J": "Training log"},
    {"Q": "Dose range checking", "R": "Test report TR-2"},
    # Its id lost the leading zero; a stated rating the matrix contradicts (Catastrophic /
    # Low is 4, not 5); severity lowered at the residual stage, with a justification.
    {
        "A": 2,
        "D": "Allergy alert not shown",
        "E": "Anaphylaxis",
        "F": "Alert suppressed",
        "M": "Catastrophic",
        "N": "low",
        "O": 5,
        "W": "Considerable",
        "X": "Very low",
        "Y": 2,
        "Z": "Alert cannot be switched off; harm limited by the ward's anaphylaxis kit.",
        "AB": "closed",
    },
    # "Closed" and "closed" in one column; the hazard repeated with its id on a control row.
    {
        "A": "3",
        "D": "Wrong patient's record opened",
        "F": "Similar names",
        "M": "Major",
        "N": "Low",
        "AB": "Closed",
    },
    {"A": "3", "K": "Two-identifier check at the bedside"},
]


def workbook_bytes(rows: list[dict], path: Path = TEMPLATE, first_row: int = 5) -> bytes:
    workbook = load_workbook(path)
    sheet = workbook["Hazard Log"]
    for offset, row in enumerate(rows):
        for column, value in row.items():
            sheet[f"{column}{first_row + offset}"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def untidy_log() -> bytes:
    return workbook_bytes(UNTIDY_ROWS)


@pytest.fixture
def worker(settings):
    """The background worker, in the test's process: tasks run as they are enqueued, so
    `worker(queued)` runs what a request queued once it committed (the callbacks that
    django_capture_on_commit_callbacks caught). The browser tests run the real
    `clinsafe db_worker` beside their server."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def run(queued: list) -> None:
        for callback in queued:
            callback()

    return run
