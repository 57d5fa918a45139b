"""What the supplier added, changed and removed between two of its bundles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Changes:
    """What the supplier added, changed and removed, by hazard or control reference."""

    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed),
                "removed": len(self.removed)}  # fmt: skip


@dataclass
class Comparison:
    hazards: Changes
    controls: Changes

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return {"hazards": self.hazards.counts, "controls": self.controls.counts}

    @property
    def any(self) -> bool:
        return any(sum(c.values()) for c in self.counts.values())


def compare(before: dict[str, Any] | None, after: dict[str, Any]) -> Comparison:
    def changes(kind: str) -> Changes:
        old = {i["reference"]: i for i in (before or {}).get("hazard_log", {}).get(kind, [])}
        new = {i["reference"]: i for i in after["hazard_log"][kind]}
        result = Changes()
        for reference, item in new.items():
            if reference not in old:
                result.added.append(item)
            elif item != old[reference]:
                fields = sorted(k for k in item if item.get(k) != old[reference].get(k))
                result.changed.append((item, fields))
        result.removed = [item for reference, item in old.items() if reference not in new]
        return result

    return Comparison(changes("hazards"), changes("controls"))
