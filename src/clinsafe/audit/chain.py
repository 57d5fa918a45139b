"""The hash chain of audit events: canonical content, hashing, signing, verification.

Each event's content (including the previous event's hash) is serialised as canonical
JSON and hashed with SHA-256; the hash is signed with an HMAC under a key kept outside
the database. Editing, removing or inserting an event breaks the chain; rebuilding the
chain after an edit needs the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from clinsafe.audit.models import AuditEvent, ChainHead

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def plain_data(value: Any) -> Any:
    """``value`` as JSON gives it back, so what is hashed is exactly what is stored."""
    return json.loads(json.dumps(value, default=str))


def event_content(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "event_type": event.event_type,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "organisation_id": event.organisation_id,
        "organisation_name": event.organisation_name,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "subject_label": event.subject_label,
        "data": event.data,
        "reason": event.reason,
        "previous_hash": event.previous_hash,
        # Events recorded before subjects' states were kept hash as they always did.
        **({"subject_state": event.subject_state} if event.subject_state else {}),
    }


def digest(value: Any) -> str:
    """SHA-256 of ``value`` (JSON values only) as canonical JSON."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def content_hash(event: AuditEvent) -> str:
    return digest(event_content(event))


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def head_message(sequence: int, last_hash: str) -> str:
    return f"head:{sequence}:{last_hash}"


@dataclass(frozen=True)
class Verification:
    count: int
    first_bad_sequence: int | None = None
    problem: str = ""
    # Safety records whose seal or state does not match what the chain recorded.
    records: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problem and not self.records

    def __str__(self) -> str:
        if self.problem:
            where = (
                f"Audit event #{self.first_bad_sequence}"
                if self.first_bad_sequence
                else "The chain"
            )
            lines = [f"{where} does not verify: {self.problem}"]
        else:
            lines = [f"All {self.count} audit events verify."]
        if self.records:
            count = len(self.records)
            lines.append(
                f"{count} safety record{'s do' if count > 1 else ' does'} not match the audit "
                "trail:"
            )
            lines.extend(f"- {record}" for record in self.records)
        return "\n".join(lines)


def verify_chain(events: Iterable[AuditEvent], head: ChainHead | None, key: bytes) -> Verification:
    """Walk ``events`` in sequence order and report the first that does not verify."""
    expected_sequence, previous_hash, count = 1, GENESIS_HASH, 0
    for event in events:
        if event.sequence != expected_sequence:
            return Verification(
                count,
                expected_sequence,
                f"expected event #{expected_sequence} next but found #{event.sequence}: events "
                "are missing or were inserted.",
            )
        if event.previous_hash != previous_hash:
            return Verification(
                count,
                event.sequence,
                "its link to the previous event is broken: an event before it was removed, "
                "changed or inserted.",
            )
        recomputed = content_hash(event)
        if recomputed != event.content_hash:
            return Verification(
                count, event.sequence, "its content was changed after it was recorded."
            )
        if not hmac.compare_digest(sign(key, recomputed), event.signature):
            return Verification(
                count,
                event.sequence,
                "its signature does not match: it was written or rewritten without the audit key.",
            )
        previous_hash, expected_sequence, count = recomputed, expected_sequence + 1, count + 1
    last = expected_sequence - 1
    if head is None:
        return Verification(count, None, "the chain head is missing.")
    if (head.last_sequence, head.last_hash) != (last, previous_hash):
        return Verification(
            count,
            last + 1 if head.last_sequence > last else None,
            f"the chain head says it ends at #{head.last_sequence}, but the events end at "
            f"#{last}: events at the end were removed or added.",
        )
    # Checked at #0 too: a chain emptied and its head reset must not verify.
    if not hmac.compare_digest(
        sign(key, head_message(head.last_sequence, head.last_hash)), head.signature
    ):
        return Verification(count, None, "the chain head's signature does not match.")
    return Verification(count)
