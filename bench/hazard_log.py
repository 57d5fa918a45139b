"""How the hazard log's cost grows with its size.

Generates a product with N hazards (each with 2 causes, 2 effects, 3 controls, initial and
residual estimates) in a fresh database, then prints the median time to render the
hazard-log page, the hazard API list, one hazard page, and the release gate (which
snapshots and hashes the whole log) as the release page and the gate API give it, at N and
at 10 x N.

    .venv/bin/python bench/hazard_log.py [--hazards 2000] [--repeat 15]

A fresh SQLite database in a temporary folder is used unless DATABASE_URL is set (it must
then point at an empty database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=2000, help="N (default 2000)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per figure")
    args = parser.parse_args()

    os.environ.setdefault("CLINSAFE_DATA_DIR", tempfile.mkdtemp(prefix="clinsafe-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinsafe.settings"
    os.environ.setdefault("CLINSAFE_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from clinsafe.core.models import Membership, Organisation, Role
    from clinsafe.hazards.models import Hazard
    from clinsafe.hazards.sample import generate_hazards
    from clinsafe.products.models import Product, Release

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}", flush=True)
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    user = User.objects.create_user("bench")  # force_login below: no password needed
    organisation = Organisation.objects.create(name="Bench", slug="bench", kind="manufacturer")
    Membership.objects.create(user=user, organisation=organisation, role=Role.CSO)
    product = Product.objects.create(organisation=organisation, name="Bench", slug="bench")
    Release.objects.create(product=product, version="1.0", created_by=user)
    client = Client()
    client.force_login(user)

    columns = ["hazard-log page", "API hazard list", "hazard page", "release page", "gate API"]
    print(f"{'hazards':>8}  " + "  ".join(f"{c:>16}" for c in columns))
    total = 0
    for size in (args.hazards, args.hazards * 10):
        started = time.perf_counter()
        generate_hazards(product, size - total, author=user, seed=size)
        total = size
        print(f"  (generated {size} hazards in {time.perf_counter() - started:.1f} s)", flush=True)
        middle = Hazard.objects.get(product=product, number=size // 2)
        figures = [
            median_ms(client.get, "/products/bench/", args.repeat),
            median_ms(client.get, "/api/hazards/?product=bench", args.repeat),
            median_ms(client.get, f"/products/bench/hazards/{middle.reference}/", args.repeat),
            median_ms(client.get, "/products/bench/releases/1.0/", args.repeat),
            median_ms(client.get, "/api/products/bench/releases/1.0/gate/", args.repeat),
        ]
        print(f"{size:>8}  " + "  ".join(f"{f:>13.1f} ms" for f in figures))
        sys.stdout.flush()


def median_ms(get: Callable[[str], Any], url: str, repeat: int) -> float:
    assert get(url).status_code == 200, url  # warm up, and fail loudly on a broken page
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


if __name__ == "__main__":
    main()
