"""`clinsafe gate`: ask a clinsafe server whether a release may ship, from any CI pipeline.

Exit status: 0 approved (also when approved by an executive's override, which is printed
as such), 1 blocked or pending, 2 a usage or connection error. Needs no database or
Django settings: only the server's address and an API token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

APPROVED, NOT_APPROVED, ERROR = 0, 1, 2
SYMBOLS = {"passed": "PASS", "pending": "TODO", "blocked": "STOP"}


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if not args.token:
        print("clinsafe gate: give --token or set CLINSAFE_TOKEN.", file=sys.stderr)
        return ERROR
    if not args.server.startswith(("http://", "https://")):
        print("clinsafe gate: --server must be an http:// or https:// address.", file=sys.stderr)
        return ERROR
    url = (
        f"{args.server.rstrip('/')}/api/products/{quote(args.product, safe='')}"
        f"/releases/{quote(args.release, safe='')}/gate/"
    )
    headers = {"Authorization": f"Token {args.token}", "Accept": "application/json"}
    request = Request(url, headers=headers)  # noqa: S310 (the scheme is checked above)
    try:
        with urlopen(request, timeout=args.timeout) as response:  # noqa: S310
            answer = json.load(response)
    except HTTPError as error:
        print(f"clinsafe gate: {url} answered {error.code}: {_detail(error)}", file=sys.stderr)
        return ERROR
    except (URLError, OSError, ValueError) as error:
        print(f"clinsafe gate: could not ask {url}: {error}", file=sys.stderr)
        return ERROR
    print(json.dumps(answer, indent=2) if args.json else describe(answer))
    return APPROVED if answer.get("decision") == "approved" else NOT_APPROVED


def describe(answer: dict[str, Any]) -> str:
    """The gate's answer as a person reads it in a CI log."""
    decision = answer["decision"].upper()
    if answer.get("approved_by_override"):
        decision = "APPROVED BY OVERRIDE (over the CSO's position)"
    label = answer.get("status_label", "")
    status = f" ({label})" if label and label.upper() != decision else ""  # which blocked, etc.
    lines = [f"{answer['product']} {answer['release']}: {decision}{status}", answer["message"], ""]
    lines += [
        f"  [{SYMBOLS.get(rule['outcome'], rule['outcome'])}] {rule['title']}: {rule['message']}"
        for rule in answer["rules"]
    ]
    sign_off = answer.get("sign_off")
    if sign_off:
        standing = "STALE" if sign_off["stale"] else "current"
        lines.append(
            f"Signed off by {sign_off['signer']} ({sign_off['role']}) at {sign_off['signed_at']}, "
            f"snapshot {sign_off['snapshot_hash']} ({standing})"
        )
    for override in answer.get("overrides", []):
        lines.append(
            f"OVERRIDE by {override['signer']} at {override['signed_at']}: {override['statement']}"
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clinsafe gate",
        description="Ask the release gate whether a release may ship. Exit 0 when approved, "
        "1 when blocked or pending, 2 on a usage or connection error.",
    )
    parser.add_argument(
        "--server", required=True, help="clinsafe's address, e.g. https://cs.example"
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("CLINSAFE_TOKEN", ""),
        help="an API token (or set CLINSAFE_TOKEN)",
    )
    parser.add_argument("--product", required=True, help="the product's slug")
    parser.add_argument("--release", required=True, help="the release's version")
    parser.add_argument("--json", action="store_true", help="print the API's answer as JSON")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait (30)")
    return parser


def _detail(error: HTTPError) -> str:
    try:
        return str(json.load(error).get("detail", error.reason))
    except (ValueError, AttributeError):
        return str(error.reason)
