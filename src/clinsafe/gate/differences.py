"""What changed between two snapshots of the safety records, said in words: since a CSO
signed a release off, since a release was issued, between two of a supplier's bundles.
Pure Python: snapshots and bundles are plain data."""

from __future__ import annotations

from typing import Any, TypeGuard

# The fields of a hazard, a control and a release as snapshots and bundles name them.
FIELD_WORDS = {
    "title": "title",
    "description": "description",
    "causes": "causes",
    "effects": "effects",
    "harm": "potential clinical harm",
    "clinical_context": "clinical context",
    "status": "status",
    "status_reason": "reason for its status",
    "owner": "owner",
    "owner_id": "owner",
    "owner_name": "owner",
    "initial": "initial risk",
    "residual": "residual risk",
    "controls": "controls",
    "acceptance": "risk acceptance",
    "kind": "kind of control",
    "origin": "origin",
    "verification_evidence": "verification evidence",
    "verification_link": "verification link",
    "hazards": "hazards it controls",
    "transferred_to_deploying_organisation": "whether it is transferred to you",
    "file_reference": "reference in the imported file",
    "withdrawn_at": "withdrawal",
    "version": "version",
    "planned_on": "planned date",
    "summary": "summary of changes",
    "build_identifier": "build identifier",
    "components": "components",
    "safety_settings": "safety-relevant settings",
    "intended_use": "intended use",
    "care_settings": "care settings",
    "intended_users": "intended users",
    "patient_groups": "patient groups",
    "third_party_products": "third-party products",
}
SHORT = 40  # values up to this long are quoted before and after; longer ones are just named


def words(field: str) -> str:
    return FIELD_WORDS.get(field, field.replace("_", " "))


def item_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Each field that differs, in words: "status from open to controlled", "residual
    risk from 4 to 2", or, for long text, "description"."""
    lines = []
    for field in sorted(after.keys() | before.keys(), key=words):
        old, new = before.get(field), after.get(field)
        if old == new or field in ("id", "version"):
            continue
        if _listed(old) and _listed(new):
            lines += _list_changes(old or [], new or [])
        elif _estimate(old) and _estimate(new) and old["rating"] == new["rating"]:
            lines.append(f"{words(field)} re-assessed, still rated {new['rating']}")
        else:
            quoted_old, quoted_new = _value(old), _value(new)
            lines.append(
                f"{words(field)} from {quoted_old} to {quoted_new}"
                if quoted_old is not None and quoted_new is not None
                else words(field)
            )
    return lines


def _list_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """Records listed by reference (a hazard's controls): which came, went or changed."""
    old = {i["reference"]: i for i in before}
    new = {i["reference"]: i for i in after}
    lines = [f"{ref} added" for ref in new if ref not in old]
    lines += [f"{ref} removed" for ref in old if ref not in new]
    for ref in new.keys() & old.keys():
        if changes := item_changes(old[ref], new[ref]):  # a new version alone is no change
            lines.append(f"{ref} {', '.join(changes)}")
    return sorted(lines)


def _listed(value: Any) -> bool:
    return value is None or (
        isinstance(value, list) and all(isinstance(i, dict) and "reference" in i for i in value)
    )


def _estimate(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and "rating" in value


def snapshot_changes(signed: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What differs between a release's snapshot as signed and as the records stand, one
    sentence a change: hazards raised, changed and taken out of the log, then the release,
    the product's scope, the argument and any other part."""
    old = {h["reference"]: h for h in signed.get("hazards", [])}
    new = {h["reference"]: h for h in current.get("hazards", [])}
    lines = []
    for reference, hazard in new.items():
        if reference not in old:
            lines.append(f"{reference} {hazard.get('title', '')} was added to the hazard log.")
        elif hazard != old[reference]:
            changed = "; ".join(item_changes(old[reference], hazard))
            lines.append(f"{reference} {hazard.get('title', '')}: {changed}.")
    lines += [
        f"{reference} {hazard.get('title', '')} is no longer in the hazard log."
        for reference, hazard in old.items()
        if reference not in new
    ]
    for part, what in (("release", "The release"), ("scope", "The product's scope")):
        if signed.get(part) != current.get(part):
            changed = "; ".join(item_changes(signed.get(part) or {}, current.get(part) or {}))
            lines.append(f"{what}: {changed}.")
    if signed.get("argument") != current.get("argument"):
        lines.append("The safety argument put forward for the release changed.")
    known = {"product", "hazards", "release", "scope", "argument"}
    for part in sorted((signed.keys() | current.keys()) - known):
        if signed.get(part) != current.get(part):
            lines.append(f"The {words(part)} changed.")
    return lines


def _value(value: Any) -> str | None:
    """A value as a reader would quote it, or None if it is too long to quote."""
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if isinstance(value, dict) and "rating" in value:
        return str(value["rating"])  # a risk estimate by its rating
    if isinstance(value, (dict, list)):
        return None
    text = str(value).replace("_", " ")  # a choice's value (business_process) as words
    return text if len(text) <= SHORT and "\n" not in text else None
