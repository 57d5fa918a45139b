"""Progress of long work, written by the worker and read by the page that shows it."""

import pytest

from clinsafe.core.progress import Progress, progress_of


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def test_progress_is_read_as_written_and_gone_once_cleared():
    now = [100.0]
    progress = Progress("import-7", clock=lambda: now[0])
    assert progress_of("import-7") is None
    progress(3, 40)
    assert progress_of("import-7") == (3, 40)
    now[0] += 0.1
    progress(4, 40)  # within half a second of the last: not worth a write
    assert progress_of("import-7") == (3, 40)
    now[0] += 0.5
    progress(5, 40)
    assert progress_of("import-7") == (5, 40)
    progress(40, 40)  # the last step always is
    assert progress_of("import-7") == (40, 40)
    progress.clear()
    assert progress_of("import-7") is None


@pytest.mark.django_db
def test_an_import_reports_each_step_to_the_last(cso, product):
    from clinsafe.reports.log_import import import_hazard_log
    from tests.reports.conftest import UNTIDY_ROWS, workbook_bytes

    untidy_log = workbook_bytes(UNTIDY_ROWS)

    steps = []
    result = import_hazard_log(
        actor=cso, product=product, data=untidy_log, filename="log.xlsx",
        progress=lambda done, total: steps.append((done, total)),
    )  # fmt: skip
    assert result.ok
    assert steps == [(1, 3), (2, 3), (3, 3)]
