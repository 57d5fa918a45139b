"""The `clinsafe` command: Django's management commands plus the project's own, and
`clinsafe gate`, the release gate client for CI pipelines (which needs no database).

Commands may be spelt with hyphens (`clinsafe seed-demo`) or underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinsafe.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "gate":
        from clinsafe.gate.client import main as gate

        sys.exit(gate(args[2:]))
    args[0] = "clinsafe"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
