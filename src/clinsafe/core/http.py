"""Responses shared by every app's pages."""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse


def _kept(character: str) -> bool:
    # Letters and digits of any script, dashes (an en dash too), "." and "_"; never a
    # quote, slash, control, space or bidirectional override.
    category = unicodedata.category(character)
    return character in "._" or category[0] in "LN" or category == "Pd"


def safe_filename(name: str, fallback: str = "download") -> str:
    """``name`` as a file name no browser or file system misreads: each run of other
    characters (and each "..") becomes one ``-``, with no leading dot, at most 150
    characters, the extension kept."""
    clean = "".join(c if _kept(c) else "-" for c in unicodedata.normalize("NFC", name))
    clean = re.sub(r"(?:\.{2,}|-)*-(?:\.{2,}|-)*|\.{2,}", "-", clean)
    clean = re.sub(r"-\.|\.-", ".", clean).strip(".-")
    if len(clean) > 150:
        _stem, dot, extension = clean.rpartition(".")
        kept = f"{dot}{extension}" if dot and len(extension) <= 10 else ""
        clean = clean[: 150 - len(kept)].rstrip(".-") + kept
    return clean or fallback


def content_disposition(filename: str) -> str:
    """RFC 6266's attachment header: an ASCII ``filename`` for old clients and the exact
    UTF-8 name in RFC 5987's ``filename*`` (an en dash or an accent survives)."""
    name = safe_filename(filename)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = safe_filename(ascii_name)
    if ascii_name == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A file the browser saves rather than shows."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
