"""A document as plain blocks, so one builder feeds the HTML page, the PDF and the DOCX.

Builders (``clinsafe.reports.builders``) read the records into a `Document`; renderers
(``clinsafe.reports.render``) turn it into each format. Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    # Shown as a label before the text, e.g. "Intended use:".
    label: str = ""


@dataclass(frozen=True)
class Items:
    """A bulleted list."""

    kind: ClassVar[str] = "items"

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    # Said instead of an empty table.
    empty: str = "None."
    # How far each row's first cell is indented (an outline as a table); empty for none.
    levels: tuple[int, ...] = ()

    @property
    def indented_rows(self) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """Each row with its level (at most `MAX_LEVEL`; 0 when the table has none)."""
        levels = self.levels or (0,) * len(self.rows)
        return tuple(
            (min(level, MAX_LEVEL), row) for level, row in zip(levels, self.rows, strict=True)
        )


MAX_LEVEL = 8  # deeper rows are indented as far as this, so the text keeps its width


@dataclass(frozen=True)
class Figure:
    """An image drawn on the server: SVG for pages and PDF, PNG for Word."""

    kind: ClassVar[str] = "figure"

    svg: str
    png: bytes
    caption: str
    # Drawn on a landscape page of its own, as large as the page allows.
    own_page: bool = False


Block = Paragraph | Items | Table | Figure


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self


@dataclass(frozen=True)
class SignatureRow:
    """One line of the signature manifest on a document's first page."""

    signer: str
    role: str
    signed_at: datetime
    meaning: str
    snapshot_hash: str
    stale: bool


@dataclass
class Document:
    kind: str  # e.g. "safety-case-report"; names the file
    title: str
    product: str
    version: str  # the product version the document is about, or "" for the product
    date: date
    status: str  # e.g. "Draft (live from the records)" or "Issued, version 2"
    signatures: list[SignatureRow] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section(self, title: str, *blocks: Block) -> Section:
        section = Section(title, list(blocks))
        self.sections.append(section)
        return section

    @property
    def filename(self) -> str:
        parts = [self.kind, self.product, self.version]
        return "-".join(p.replace(" ", "-") for p in parts if p)

    def numbered(self) -> list[tuple[str, Section, list[tuple[str, Section]]]]:
        """Sections with their numbers ("3", "3.1"), as the contents and headings show."""
        return [
            (str(i), s, [(f"{i}.{j}", sub) for j, sub in enumerate(s.subsections, 1)])
            for i, s in enumerate(self.sections, 1)
        ]
