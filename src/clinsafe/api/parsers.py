"""JSON requests, refused at the door when their shape is not one any record has (see
core.json_input), naming the rule, before anything is saved."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from clinsafe.core.json_input import JSONShapeError, check_shape, too_deep


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            check_shape(data)
        except RecursionError:
            raise ParseError(f"JSON parse error - {too_deep()}. Nothing was saved.") from None
        except JSONShapeError as error:
            raise ParseError(f"JSON parse error - {error}. Nothing was saved.") from None
        return data
