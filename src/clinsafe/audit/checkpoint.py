"""A signed checkpoint of the audit chain kept outside the database.

Every commit that appends events moves the checkpoint forward, never back. Someone who cuts
the chain's tail and puts back an older signed head (every backup holds one) leaves a chain
that verifies on its own; compared with the checkpoint it shows as cut off."""

from __future__ import annotations

import fcntl
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from clinsafe.audit.chain import sign


class CheckpointError(Exception):
    pass


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    last_hash: str
    written_at: str


def _message(sequence: int, last_hash: str) -> str:
    return f"checkpoint:{sequence}:{last_hash}"


def read_checkpoint(path: Path) -> Checkpoint | None:
    """The checkpoint at ``path`` (None if there is none yet); refused if it is not one this
    audit key signed."""
    try:
        raw = json.loads(path.read_text())
        checkpoint = Checkpoint(int(raw["sequence"]), str(raw["last_hash"]), raw["written_at"])
        signature = str(raw["signature"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"the checkpoint {path} cannot be read: {error}.") from None
    expected = sign(settings.AUDIT_KEY, _message(checkpoint.sequence, checkpoint.last_hash))
    if not hmac.compare_digest(expected, signature):
        raise CheckpointError(
            f"the checkpoint {path} is not signed with this server's audit key: it was "
            "edited, or belongs to another server."
        )
    return checkpoint


def advance_checkpoint(path: Path, sequence: int, last_hash: str) -> bool:
    """Record the chain at ``sequence`` unless the checkpoint is already as far; True if
    written. Writers take a file lock, and replace the file whole, so it is never torn."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_checkpoint(path)
        if current and current.sequence >= sequence:
            return False
        record = {
            "sequence": sequence,
            "last_hash": last_hash,
            "written_at": timezone.now().isoformat(),
            "signature": sign(settings.AUDIT_KEY, _message(sequence, last_hash)),
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(record, indent=2))
        os.replace(temporary, path)
    return True
