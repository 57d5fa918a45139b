"""JSON from outside (an API request, a received bundle), refused when its shape is not one
any clinsafe record has: nested deeper than MAX_DEPTH, or text that is not valid Unicode.

Python's parser recurses (about 1,000 levels end it with RecursionError, a server error), and
so would every later walk of the value; the value is walked here once, without recursion.
JSON may also spell a lone surrogate ("\\ud800"), which Python accepts but no database or
response can encode.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 100  # clinsafe's deepest record (a bundle's hazard estimates) is under 10
SURROGATE = re.compile("[\ud800-\udfff]")


class JSONShapeError(ValueError):
    pass


def load_json(text: str | bytes) -> Any:
    """The value of ``text``; json.JSONDecodeError if it is not JSON, JSONShapeError if its
    shape is refused."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONShapeError(too_deep()) from None
    check_shape(value)
    return value


def check_shape(value: Any) -> None:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                raise JSONShapeError(
                    "text may not contain lone surrogates (\\ud800 to \\udfff): they are not "
                    "valid Unicode"
                )
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise JSONShapeError(too_deep())
            children = [*item, *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def too_deep() -> str:
    return f"arrays and objects may not be nested more than {MAX_DEPTH} deep"
