"""What importing a 2,000-row spreadsheet hazard log costs, against its floor.

Generates a hazard log of N hazards (each with causes, effects, initial and residual
estimates and one control) in a fresh database, exports it as XLSX (clinsafe's own export,
the NHS template's columns), then times and measures:

* the preview (reading the file, writing nothing: what the web page shows first);
* the import, held to the hazard log's rules (`record_log`) with every audit event, and
  the same import of a file half the size, so the memory each row costs can be compared;
* the floor: reading the same file plus inserting the same rows with bulk_create, with no
  rules checked and no audit trail (what the data alone costs).

Each step runs twice, each time in a process of its own forked for it: once timed, once
with tracemalloc counting the most memory Python held at any moment of the step (the
resident size says little here: a step reuses memory the process freed before it). Memory
per row is constant when the import of the whole file costs twice what half of it does.

    .venv/bin/python bench/log_import.py [--hazards 2000]

A fresh SQLite database in a temporary folder is used unless DATABASE_URL is set (it must
then point at an empty database).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=2000, help="N (default 2000)")
    args = parser.parse_args()

    os.environ.setdefault("CLINSAFE_DATA_DIR", tempfile.mkdtemp(prefix="clinsafe-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinsafe.settings"
    os.environ.setdefault("CLINSAFE_DEBUG", "0")  # as served: no query log
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from clinsafe.core.models import Membership, Organisation, Role
    from clinsafe.hazards.models import Hazard
    from clinsafe.hazards.sample import generate_hazards
    from clinsafe.products.models import Product
    from clinsafe.reports.log_file import parse_log, read_tables
    from clinsafe.reports.log_import import import_hazard_log, preview_hazard_log
    from clinsafe.reports.records import read_log
    from clinsafe.reports.spreadsheet import to_xlsx

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
          f"DEBUG {settings.DEBUG}", flush=True)  # fmt: skip
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench")
    organisation = Organisation.objects.create(name="Bench", slug="bench", kind="manufacturer")
    Membership.objects.create(user=user, organisation=organisation, role=Role.CSO)

    def product(name: str) -> Product:  # each run of a step, in a process of its own, has one
        slug = f"{name}-{os.getpid()}"
        return Product.objects.create(organisation=organisation, name=slug, slug=slug)

    source = product("source")
    generate_hazards(source, args.hazards, author=user, controls_per_hazard=1)
    data = to_xlsx(read_log(source))
    small_source = product("small-source")
    generate_hazards(small_source, args.hazards // 2, author=user, controls_per_hazard=1)
    small = to_xlsx(read_log(small_source))
    print(f"file: {len(data):,} bytes, {args.hazards:,} hazards, {args.hazards:,} controls")

    def floor() -> None:
        parse_log(read_tables(data, "log.xlsx"))
        generate_hazards(product("floor"), args.hazards, author=user, controls_per_hazard=1)

    def preview() -> None:
        preview_hazard_log(actor=user, product=product("preview"), data=data, filename="l.xlsx")

    def run_import(name: str, file: bytes, hazards: int) -> None:
        result = import_hazard_log(actor=user, product=product(name), data=file, filename="l.xlsx")
        assert result.ok and len(result.created) == hazards, result.problems

    steps = (("floor", floor), ("preview", preview),
             ("import", lambda: run_import("import", data, args.hazards)),
             ("import/2", lambda: run_import("half", small, args.hazards // 2)))  # fmt: skip
    figures = {name: (measure(step), measure(step, memory=True)) for name, step in steps}
    imported = Hazard.objects.filter(product__slug__startswith="import-")
    assert imported.count() == args.hazards * 2, "each run of the import kept its hazards"
    floor_s = figures["floor"][0]
    print(f"{'':10} {'time':>9} {'x floor':>8} {'peak memory':>12}")
    for name, (seconds, peak) in figures.items():
        print(f"{name:10} {seconds:>7.1f} s {seconds / floor_s:>7.1f}x {peak:>9.1f} MB")
    sizes = ((figures["import"][1], args.hazards), (figures["import/2"][1], args.hazards // 2))
    per_row = [peak / rows * 1000 for peak, rows in sizes]
    print(
        f"memory per 1,000 hazards: {per_row[0]:.1f} MB at {args.hazards:,}, "
        f"{per_row[1]:.1f} MB at {args.hazards // 2:,} ({per_row[0] / per_row[1]:.2f}x)"
    )
    seconds = figures["import"][0]
    print(
        f"target: import under {TARGET_SECONDS} s: {seconds:.1f} s, "
        f"{'met' if seconds < TARGET_SECONDS else 'not met'}"
    )


TARGET_SECONDS = 5.0  # for 2,000 hazards (issue 19)


def measure(step: Callable[[], Any], memory: bool = False) -> float:
    """Seconds the step took or, with ``memory``, the most MB Python held during it above
    what it held before; run in a process forked for it, so that each run starts from the
    same memory (what it writes to the database stays)."""
    from django.db import connections

    connections.close_all()  # the child opens its own
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:
        if memory:
            tracemalloc.start()
        started = time.perf_counter()
        step()
        figure = (
            tracemalloc.get_traced_memory()[1] / 1e6 if memory else time.perf_counter() - started
        )
        os.write(writing, str(figure).encode())
        os._exit(0)
    os.close(writing)
    _, status = os.waitpid(child, 0)
    figure = os.read(reading, 100).decode()
    if status or not figure:
        raise SystemExit("a step failed; its output is above")
    return float(figure)


if __name__ == "__main__":
    main()
