"""How far long work has got, readable while it runs.

Work done in one transaction cannot show its progress through the database (nothing it
writes is visible before it commits, and SQLite lets no other writer in meanwhile), so
progress is a small file in the data folder, replaced whole at each step. The web server and
the worker must share that folder (CLINSAFE_DATA_DIR)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

EVERY_SECONDS = 0.5  # a file written more often than this tells no one anything new


def _path(key: str) -> Path:
    return settings.DATA_DIR / "progress" / f"{key}.json"


class Progress:
    """Reports ``done`` of ``total`` for ``key``, at most every EVERY_SECONDS, and always
    the last step."""

    def __init__(self, key: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.key, self.clock, self.written_at = key, clock, -EVERY_SECONDS

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done < total and now - self.written_at < EVERY_SECONDS:
            return
        self.written_at = now
        path = _path(self.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"done": done, "total": total}))
        partial.replace(path)

    def clear(self) -> None:
        _path(self.key).unlink(missing_ok=True)


def progress_of(key: str) -> tuple[int, int] | None:
    """(done, total) last reported for ``key``, or None before the first step."""
    try:
        figures = json.loads(_path(key).read_text())
    except (OSError, ValueError):
        return None
    return int(figures["done"]), int(figures["total"])
