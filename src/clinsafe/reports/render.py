"""A `Document` as an HTML fragment, a PDF (WeasyPrint, with contents and page numbers) or
a DOCX (python-docx, with heading styles Word's navigation pane reads)."""

from __future__ import annotations

import io
import struct

from django.template.loader import render_to_string
from docx import Document as Docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from weasyprint import HTML

from clinsafe.core.formats import long_date, long_datetime
from clinsafe.reports.document import Block, Document, Figure, Items, Paragraph, Section, Table

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def to_html(document: Document) -> str:
    """The document's body, for a page of the site."""
    return render_to_string("reports/document_body.html", {"document": document})


def to_pdf(document: Document) -> bytes:
    html = render_to_string("reports/document_print.html", {"document": document})
    return bytes(HTML(string=html).write_pdf())


def to_docx(document: Document) -> bytes:
    docx = Docx()
    docx.core_properties.title = document.title
    docx.core_properties.subject = f"{document.product} {document.version}".strip()
    for page in docx.sections:
        page.page_width, page.page_height = Mm(210), Mm(297)  # A4; python-docx starts at Letter
        page.left_margin = page.right_margin = Cm(2)
        _page_number_footer(page.footer.paragraphs[0])  # later sections carry it on
    docx.add_heading(document.title, level=0)
    _table(docx, _cover_table(document), style="Table Grid")
    docx.add_heading("Signatures", level=1)
    _table(docx, _signature_table(document), style="Table Grid")
    docx.add_heading("Contents", level=1)
    for number, section, subsections in document.numbered():
        docx.add_paragraph(f"{number}  {section.title}", style="List Number")
        for sub_number, sub in subsections:
            docx.add_paragraph(f"{sub_number}  {sub.title}", style="List Bullet 2")
    for number, section, subsections in document.numbered():
        _section(docx, f"{number} {section.title}", section, level=1)
        for sub_number, sub in subsections:
            _section(docx, f"{sub_number} {sub.title}", sub, level=2)
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


def _cover_table(document: Document) -> Table:
    rows = [("Product", document.product)]
    if document.version:
        rows.append(("Version", document.version))
    rows += [("Date", long_date(document.date)), ("Document status", document.status)]
    return Table(("", ""), tuple(rows))


def _signature_table(document: Document) -> Table:
    return Table(
        ("Signed by", "Role", "When", "Meaning", "Snapshot SHA-256", "Current?"),
        tuple(
            (
                s.signer,
                s.role,
                long_datetime(s.signed_at),
                s.meaning,
                s.snapshot_hash,
                "Stale: the records changed since" if s.stale else "Current",
            )
            for s in document.signatures
        ),
        empty="Not signed.",
    )


def _section(docx: DocxDocument, heading: str, section: Section, level: int) -> None:
    docx.add_heading(heading, level=level)
    for block in section.blocks:
        _turn_page(docx, landscape=isinstance(block, Figure) and block.own_page)
        _block(docx, block)
    _turn_page(docx, landscape=False)


def _turn_page(docx: DocxDocument, *, landscape: bool) -> None:
    """A new A4 section turned the way the next block needs; a figure on a page of its own
    after another starts a new landscape page."""
    current = docx.sections[-1]
    if current.orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT):
        if landscape:
            docx.add_page_break()
        return
    page = docx.add_section(WD_SECTION.NEW_PAGE)
    page.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))


def _block(docx: DocxDocument, block: Block) -> None:
    if isinstance(block, Paragraph):
        paragraph = docx.add_paragraph()
        if block.label:
            paragraph.add_run(f"{block.label} ").bold = True
        paragraph.add_run(block.text)
    elif isinstance(block, Items):
        for item in block.items:
            docx.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Table):
        if block.caption:
            docx.add_paragraph(block.caption).runs[0].bold = True
        if block.rows:
            _table(docx, block, style="Table Grid")
        else:
            docx.add_paragraph(block.empty)
    elif isinstance(block, Figure) and block.own_page:
        docx.add_paragraph(block.caption).runs[0].bold = True
        if block.png:
            width, height = _png_size(block.png)
            # As large as a landscape page holds (25.7 by 15 cm within its margins).
            fit = min(Cm(25.7) / width, Cm(15) / height)
            docx.add_picture(io.BytesIO(block.png), width=int(width * fit))
    elif isinstance(block, Figure):
        if block.png:
            docx.add_picture(io.BytesIO(block.png), width=Cm(16))
        docx.add_paragraph(block.caption).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(docx: DocxDocument, table: Table, style: str) -> None:
    if not table.rows:
        docx.add_paragraph(table.empty)
        return
    has_headers = any(table.headers)
    grid = docx.add_table(rows=len(table.rows) + has_headers, cols=len(table.headers))
    grid.style = style
    if has_headers:
        for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
    for row, (level, values) in zip(grid.rows[has_headers:], table.indented_rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
        if level:
            for paragraph in row.cells[0].paragraphs:
                paragraph.paragraph_format.left_indent = Mm(4 * level)


def _png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header."""
    return struct.unpack(">II", png[16:24])


def _page_number_footer(paragraph: DocxParagraph) -> None:
    """ "Page N of M" as Word fields, filled in by Word when it lays out the pages."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
