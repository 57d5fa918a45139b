"""Database triggers that refuse any change to, or removal of, an audit event."""

from __future__ import annotations

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

CREATE = {
    "sqlite": [
        f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
        f"CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        f"CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ],
}

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS audit_event_no_change ON {TABLE}",
        f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
        "DROP FUNCTION IF EXISTS audit_event_append_only()",
    ],
}


def statements(kind: dict[str, list[str]], vendor: str) -> list[str]:
    if vendor not in kind:
        raise NotImplementedError(f"No audit triggers for the {vendor} database.")
    return kind[vendor]
