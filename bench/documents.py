"""How long the documents take to generate (target: a 200-hazard Clinical Safety Case Report
in under 5 seconds, as PDF).

Generates a product with N hazards (each with 2 causes, 2 effects, 3 controls, initial and
residual estimates) and a release whose safety argument is built over all hazards and put
forward, in a fresh database, then prints the median time to build the Safety Case Report
from the records and to render it as HTML, PDF and DOCX, the Hazard Log as PDF and XLSX, and
the supplier bundle, with the PDF's page count.

    .venv/bin/python bench/documents.py [--hazards 200] [--repeat 3]

A fresh SQLite database in a temporary folder is used unless DATABASE_URL is set (it must
then point at an empty database).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=200, help="N (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure")
    args = parser.parse_args()

    os.environ.setdefault("CLINSAFE_DATA_DIR", tempfile.mkdtemp(prefix="clinsafe-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinsafe.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from pypdf import PdfReader

    from clinsafe.argument.services import argue_over_all_hazards, put_forward
    from clinsafe.core.models import Membership, Organisation, Role
    from clinsafe.core.services import appoint_cso
    from clinsafe.hazards.sample import generate_hazards
    from clinsafe.products.models import Product, Release
    from clinsafe.reports.builders import hazard_log_document, safety_case_report
    from clinsafe.reports.bundle import export_bundle
    from clinsafe.reports.records import read_log
    from clinsafe.reports.render import to_docx, to_html, to_pdf
    from clinsafe.reports.spreadsheet import to_xlsx

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}", flush=True)
    call_command("migrate", verbosity=0)
    cso = User.objects.create_user("cso", first_name="Bench", last_name="CSO")
    organisation = Organisation.objects.create(name="Bench", slug="bench", kind="manufacturer")
    for role in (Role.CSO, Role.ADMIN):
        Membership.objects.create(user=cso, organisation=organisation, role=role)
    product = Product.objects.create(organisation=organisation, name="Bench", slug="bench")
    appoint_cso(actor=cso, organisation=organisation, user=cso, protected_hours_per_week=8)
    release = Release.objects.create(product=product, version="1.0", created_by=cso)
    started = time.perf_counter()
    generate_hazards(product, args.hazards, author=cso, seed=args.hazards)
    argue_over_all_hazards(actor=cso, product=product)
    put_forward(actor=cso, release=release)
    print(f"generated {args.hazards} hazards and their argument in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

    report = safety_case_report(release)
    pdf = to_pdf(report)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    figures = [
        ("Safety Case Report: read the records", lambda: safety_case_report(release)),
        ("Safety Case Report: HTML", lambda: to_html(report)),
        ("Safety Case Report: PDF", lambda: to_pdf(report)),
        ("Safety Case Report: DOCX", lambda: to_docx(report)),
        ("Safety Case Report: records to PDF", lambda: to_pdf(safety_case_report(release))),
        ("Hazard Log: records to PDF", lambda: to_pdf(hazard_log_document(product))),
        ("Hazard Log: records to XLSX", lambda: to_xlsx(read_log(product))),
        ("Supplier bundle: records to JSON", lambda: export_bundle(release)),
    ]
    print(f"the Safety Case Report PDF has {pages} pages")
    for name, work in figures:
        print(f"{name:<40} {median_s(work, args.repeat):6.2f} s", flush=True)


def median_s(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    main()
