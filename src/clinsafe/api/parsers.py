"""JSON requests, refused when they carry text that is not valid Unicode.

JSON may spell a lone surrogate (e.g. "\\ud800"), which Python accepts but no database or
response can encode; it is refused at the door, naming the rule, before anything is saved.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

SURROGATE = re.compile("[\ud800-\udfff]")


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _has_surrogate(data):
            raise ParseError(
                "JSON parse error - text may not contain lone surrogates (\\ud800 to \\udfff): "
                "they are not valid Unicode. Nothing was saved."
            )
        return data


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return bool(SURROGATE.search(value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False
