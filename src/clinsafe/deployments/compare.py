"""What the supplier added, changed and removed between two of its bundles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clinsafe.gate.differences import item_changes


@dataclass
class Changes:
    """What the supplier added, changed and removed, by hazard or control reference."""

    added: list[dict[str, Any]] = field(default_factory=list)
    # Each changed item with the names of its fields that changed (for programs) and the
    # changes in words (for people): "status from open to controlled; description".
    changed: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    described: list[tuple[dict[str, Any], str]] = field(default_factory=list)
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
                result.described.append((item, "; ".join(item_changes(old[reference], item))))
        result.removed = [item for reference, item in old.items() if reference not in new]
        return result

    return Comparison(changes("hazards"), changes("controls"))
