"""Load: clinsafe as it runs in production (gunicorn workers, CLINSAFE_ENV=production, static
files from WhiteNoise), under many simulated users of the API at once.

Generates 50 products with 5,000 hazards in all, starts gunicorn on loopback, and lets 50
users read the hazard log, hazards and the release gate and edit hazards and add controls
for a bounded time. Prints throughput, p50/p95/p99 latency and the error count (5xx or no
answer; a stale edit refused with 409 is the system working and is counted apart).

    .venv/bin/python bench/load.py --database sqlite
    .venv/bin/python bench/load.py --database postgres     # starts a throw-away cluster
    .venv/bin/python bench/load.py --users 50 --seconds 30 --workers 4

The requests carry X-Forwarded-Proto: https, as they would from the TLS-terminating proxy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--hazards", type=int, default=5000, help="in all, across products")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="clinsafe-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinsafe.settings",
        "CLINSAFE_ENV": "production",
        "CLINSAFE_DATA_DIR": str(data),
        "CLINSAFE_SECRET_KEY": secrets.token_urlsafe(50),
        "CLINSAFE_AUDIT_KEY": secrets.token_urlsafe(50),
        "CLINSAFE_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
    }
    cluster = None
    if args.database == "postgres":
        cluster = subprocess.run(
            [ROOT / "scripts" / "postgres", "start"], check=True, capture_output=True, text=True
        ).stdout.strip()
        env["DATABASE_URL"] = cluster
    try:
        run(args, env)
    finally:
        if cluster:
            subprocess.run([ROOT / "scripts" / "postgres", "stop"], check=False,
                           capture_output=True)  # fmt: skip


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    clinsafe = [str(BIN / "clinsafe")]
    subprocess.run([*clinsafe, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*clinsafe, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    started = time.perf_counter()
    tokens = subprocess.run(
        [sys.executable, "-c", SETUP, str(args.products), str(args.hazards), str(args.users)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    took = time.perf_counter() - started
    print(f"database: {args.database}; generated {args.products} products, {args.hazards} "
          f"hazards and {args.users} users in {took:.0f} s", flush=True)  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "clinsafe.wsgi", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        _wait_for(port)
        results = asyncio.run(load(f"http://127.0.0.1:{port}", tokens, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results, args)


async def load(url: str, tokens: list[str], args: argparse.Namespace) -> list[tuple]:
    deadline = time.monotonic() + args.seconds
    results: list[tuple] = []
    limits = httpx.Limits(max_connections=args.users)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        await asyncio.gather(
            *(user(client, token, deadline, results, args) for token in tokens[: args.users])
        )
    return results


async def user(client: httpx.AsyncClient, token: str, deadline: float, results: list,
               args: argparse.Namespace) -> None:  # fmt: skip
    headers = {"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"}
    rng = random.Random(token)  # noqa: S311 - a workload mix, not security
    while time.monotonic() < deadline:
        slug = f"load-{rng.randrange(args.products):02d}"
        kind = rng.choices(["log", "hazard", "gate", "edit", "control"], [4, 3, 1, 1, 1])[0]
        started = time.perf_counter()
        try:
            status = await request(client, kind, slug, headers, rng)
        except httpx.HTTPError:
            status = 0
        results.append((kind, status, time.perf_counter() - started))


async def request(client: httpx.AsyncClient, kind: str, slug: str, headers: dict,
                  rng: random.Random) -> int:  # fmt: skip
    if kind == "log":
        return (await client.get(f"/api/hazards/?product={slug}", headers=headers)).status_code
    if kind == "gate":
        gate = f"/api/products/{slug}/releases/1.0/gate/"
        return (await client.get(gate, headers=headers)).status_code
    listed = await client.get(f"/api/hazards/?product={slug}", headers=headers)
    if listed.status_code != 200:
        return listed.status_code
    hazard = rng.choice(listed.json()["results"])
    if kind == "hazard":
        return (await client.get(f"/api/hazards/{hazard['id']}/", headers=headers)).status_code
    if kind == "edit":
        change = {"title": f"Reviewed {rng.randrange(10**6)}", "version": hazard["version"]}
        edited = await client.patch(f"/api/hazards/{hazard['id']}/", json=change, headers=headers)
        return edited.status_code
    control = {"product": slug, "description": "Load-test control", "kind": "testing",
               "hazards": [hazard["id"]]}  # fmt: skip
    return (await client.post("/api/controls/", json=control, headers=headers)).status_code


def report(results: list[tuple], args: argparse.Namespace) -> None:
    times = sorted(seconds for _kind, _status, seconds in results)
    statuses = Counter(status for _kind, status, _seconds in results)
    errors = sum(n for status, n in statuses.items() if status == 0 or status >= 500)
    unexpected = sum(n for status, n in statuses.items() if 400 <= status < 500 and status != 409)

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))] * 1000

    print(f"{len(results)} requests from {args.users} users in {args.seconds:g} s: "
          f"{len(results) / args.seconds:.1f} requests/s")  # fmt: skip
    print(f"latency p50 {pct(0.50):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, "
          f"mean {statistics.mean(times) * 1000:.0f} ms")  # fmt: skip
    print(f"errors (5xx or no answer): {errors}; stale edits refused (409): {statuses[409]}; "
          f"other 4xx: {unexpected}")  # fmt: skip
    by_kind = Counter(kind for kind, _status, _seconds in results)
    print("mix: " + ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items())))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# Run in a subprocess with the server's settings: products, hazards, users and tokens.
SETUP = """
import sys
import django
django.setup()
from django.contrib.auth.models import User
from clinsafe.core.models import Membership, Organisation
from clinsafe.core.services import create_token
from clinsafe.hazards.sample import generate_hazards
from clinsafe.products.models import Product, Release

products, hazards, users = (int(a) for a in sys.argv[1:4])
organisation = Organisation.objects.create(name="Load", slug="load", kind="manufacturer")
author = User.objects.create_user("author")
Membership.objects.create(user=author, organisation=organisation, role="cso")
for n in range(products):
    product = Product.objects.create(
        organisation=organisation, name=f"Load {n}", slug=f"load-{n:02d}"
    )
    Release.objects.create(product=product, version="1.0", created_by=author)
    generate_hazards(product, hazards // products, author=author, seed=n)
for n in range(users):
    user = User.objects.create_user(f"user{n}")
    Membership.objects.create(user=user, organisation=organisation, role="reviewer")
    print(create_token(actor=user, name="load")[1])
"""

if __name__ == "__main__":
    main()
