"""Errors the service functions raise besides Django's ValidationError and PermissionDenied."""


class StaleEdit(Exception):
    """The record changed since the caller loaded it; their edit would overwrite someone's."""

    def __init__(self, label: str, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            f"{label} was changed by someone else since you loaded it (you had version "
            f"{expected}, it is now version {current}). Nothing was saved: reload it, "
            "check their change, then make yours again."
        )
