"""Reading a hazard log from a spreadsheet: the table in an XLSX or CSV file, its columns
recognised from their headings, and each row read into hazards, estimates and controls.

Pure Python (openpyxl and csv, no Django): `read_tables` finds the tables, `guess_mapping`
names what each column holds, and `parse_log` reads the rows, reporting every row it cannot
read with its row number and reason. Real files are untidy: headings span several rows,
a hazard runs over several rows (one per control, its id blank or repeated), cover and
matrix sheets sit beside the log, and stated ratings may contradict the matrix.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import IO, Any, TypeVar

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException

from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity, stated_rating

HEADER_SEARCH_ROWS = 15  # the header ends within the first rows of a sheet
HEADER_SPAN = 4  # and spans at most this many rows
END_GAP = 10  # this many blank rows end the table; anything after is not the log
MAX_ITEM = 2000  # the longest cause or effect the hazard log holds
TITLE_LENGTH = 120  # a title made from a description
TITLE_MAX = 200  # the hazard log's limit
# What a hazard log file may hold. The largest real logs have a few thousand rows of a few
# dozen columns (2,000 x 40 = 80,000 cells); a workbook far beyond that is a mistake or an
# attack on the server's memory and time (openpyxl streams about 45,000 cells a second).
MAX_ROWS = 50_000
MAX_CELLS = 500_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# <mergeCell ref="A1:C1"/>, under any namespace prefix, with either quote.
MERGE_CELL = re.compile(rb"""<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref=(["'])(?P<ref>[^"']*)\1""")
# clinsafe's own export holds texts longer than the csv module's default field limit (128 KB);
# the upload limit (log_import.MAX_FILE_BYTES) bounds every field.
csv.field_size_limit(16 * 1024 * 1024)
# Excel holds at most 32,767 characters in a cell. clinsafe's export ends a longer text's
# cell with CONTINUED and puts the rest on a sheet of its own, which the reader joins back.
EXCEL_CELL_LIMIT = 32_767
CONTINUED_SHEET = "Continued"
CONTINUED_HEADERS = ("Sheet", "Cell", "Part", "Text continued")
CONTINUED = "\n[continues on the Continued sheet]"
STAGES = ("initial", "residual")
HAZARD_STATUSES = ("open", "controlled", "accepted", "transferred", "closed")
# The hazard log's control kinds and their labels (a test holds them equal to ControlKind).
CONTROL_KINDS = {
    "design": "Health IT design",
    "testing": "Testing",
    "training": "User training",
    "business_process": "Business process",
    "information": "Information for safety / labelling",
    "transferred": "Transferred to the deploying organisation",
}


Level = TypeVar("Level", Severity, Likelihood)


class LogFileError(ValueError):
    """The file cannot be read as a spreadsheet at all."""


# --- what a column holds -------------------------------------------------------------------

# Each column maps to a key: "ignore", a hazard field, "<stage>.<part>" for an estimate,
# "control.<kind>.<origin>" for control descriptions, or "evidence" for the evidence of the
# control column before it.
HAZARD_KEYS = {
    "id": "Hazard id",
    "title": "Hazard title",
    "description": "Hazard description",
    "causes": "Causes",
    "effects": "Effects",
    "harm": "Potential clinical harm",
    "context": "Clinical context / hazard type",
    "owner": "Owner",
    "status": "Status",
    "status_reason": "Status reason",
    "controls_text": "Controls (clinsafe's export: one per line)",
    "evidence": "Evidence of the control column before it",
    "original": "Reference in the file first imported from",
    "control_status": "Status of the row's controls (or actions)",
    "control_owner": "Owner of the row's controls (or actions)",
    "control_kind": "Type of the row's controls (design, testing, training...)",
}
ESTIMATE_PARTS = {
    "severity": "severity",
    "likelihood": "likelihood",
    "rating": "stated risk rating",
    "rationale": "justification",
}


def mapping_choices() -> list[tuple[str, str]]:
    """Every key a column may be mapped to, with its label, for the mapping step."""
    choices = [("ignore", "Not imported")]
    choices += list(HAZARD_KEYS.items())
    for stage in STAGES:
        choices += [
            (f"{stage}.{p}", f"{stage.capitalize()} {w}") for p, w in ESTIMATE_PARTS.items()
        ]
    for kind, label in CONTROL_KINDS.items():
        for origin in ("existing", "additional"):
            choices.append((f"control.{kind}.{origin}", f"Control ({label}, {origin})"))
    return choices


VALID_KEYS = frozenset(key for key, _ in mapping_choices())

_LEAVES = {
    "id": {"no", "num", "nr", "hazard no", "hazard num", "hazard number", "hazard id", "id",
           "ref", "ref no", "reference", "reference number", "hazard ref", "hazard ref no",
           "hazard reference", "number", "risk id", "risk no", "risk number", "risk ref"},
    "title": {"hazard name", "title", "hazard title", "name", "summary", "hazard summary"},
    "description": {"hazard description", "description", "hazard detail", "detail", "hazard"},
    "effects": {"effect", "effects", "hazard effect"},
    "harm": {"harm", "potential harm", "clinical harm", "potential clinical harm",
             "potential clinical impact", "clinical impact", "impact", "consequences"},
    "causes": {"possible causes", "causes", "cause", "possible cause", "hazard cause"},
    "context": {"hazard type", "type", "category", "hazard category", "clinical context",
                "context", "area"},
    "owner": {"owner", "hazard owner", "assigned to", "responsible"},
    "status": {"status", "hazard status", "state"},
    "status_reason": {"status reason", "reason", "closure reason", "comments on status"},
    "severity": {"severity", "consequence", "severity rating"},
    "likelihood": {"likelihood", "probability", "frequency", "likelihood rating"},
    "rating": {"risk", "risk rating", "rating", "risk score", "risk level", "risk rating score"},
    "rationale": {"justification", "rationale", "risk justification"},
    "control": {"controls", "control", "mitigation", "mitigations", "control measures",
                "suggested actions to mitigate hazard", "mitigating actions", "actions",
                "action", "action required", "actions required", "further action",
                "further actions", "existing controls", "additional controls", "risk controls"},
    "original": {"reference in the imported file", "reference in file", "file reference",
                 "original reference", "original ref", "imported reference"},
    "control_status": {"control status", "action status", "mitigation status",
                       "implementation status", "status of control", "status of action",
                       "control state"},
    "control_kind": {"control type", "type of control", "control category", "control kind",
                     "mitigation type", "action type"},
    "control_owner": {"control owner", "action owner", "mitigation owner", "owner of action",
                      "action by", "actioned by", "control lead"},
    "evidence": {"evidence", "verification", "links to documentation", "control evidence",
                 "verification evidence", "evidence of control"},
}  # fmt: skip
_STAGE_WORDS = {"initial": "initial", "pre": "initial", "before": "initial",
                "unmitigated": "initial", "inherent": "initial", "original": "initial",
                "residual": "residual", "post": "residual", "after": "residual",
                "mitigated": "residual", "revised": "residual", "remaining": "residual",
                "final": "residual", "target": "residual"}  # fmt: skip
_FILLER = {"mitigation", "assessment", "hazard", "clinical", "overall", "of"}
# Words naming a kind of control, matched at the start of a word ("test" in "Testing").
_KIND_WORDS = (
    ("business process", "business_process"), ("process", "business_process"),
    ("training", "training"), ("design", "design"), ("test", "testing"),
    ("transferred", "transferred"), ("deploying", "transferred"),
    ("information", "information"), ("labelling", "information"),
)  # fmt: skip
# A column headed by a kind of control alone ("Design", "Test", "User training").
_KIND_HEADINGS = {"design", "hit design", "system design", "test", "tests", "testing",
                  "training", "user training", "business process", "business processes",
                  "business process change", "process", "information", "labelling",
                  "information for safety"}  # fmt: skip
_CONTROL_WORDS = re.compile(r"\b(controls?|mitigations?|measures?)\b")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _stage_of(whole: str) -> str:
    """The stage a heading names ("Residual Risk", "Post-mitigation"), or ""."""
    return next((s for w, s in _STAGE_WORDS.items() if re.search(rf"\b{w}\b", whole)), "")


def _kind_of(whole: str) -> str:
    return next((k for w, k in _KIND_WORDS if re.search(rf"\b{w}", whole)), "design")


def key_for(heading: list[str]) -> str:
    """The key of a column from its heading, read top row first (e.g. ["Initial Risk",
    "Existing Controls", "HIT Design", "Description"])."""
    return _key_for(tuple(heading))


@lru_cache(maxsize=4096)  # finding the header tries each heading many times over
def _key_for(heading: tuple[str, ...]) -> str:
    parts = [_words(h) for h in heading if _words(h)]
    if not parts:
        return "ignore"
    whole = " ".join(parts)
    stage = _stage_of(whole)
    leaf = parts[-1]
    for word in _STAGE_WORDS:
        leaf = re.sub(rf"\b{word}\b", "", leaf).strip()
    leaf = " ".join(leaf.split())
    in_controls = bool(re.search(r"\bcontrol|\bmitigat|\bexisting\b|\badditional\b", whole))
    if in_controls and leaf in {"description", "desc", "control description"}:
        leaf = "controls"
    if in_controls and leaf in {"status", "owner"}:
        leaf = f"control {leaf}"
    if _CONTROL_WORDS.sub("", leaf).strip() in _KIND_HEADINGS and (
        in_controls or leaf in _KIND_HEADINGS
    ):
        leaf = "controls"  # "Design", "Test controls", "Controls / Training"
    if not any(leaf in leaves for leaves in _LEAVES.values()):
        # "Post-mitigation likelihood", "Hazard risk rating": the words around the leaf.
        leaf = " ".join(w for w in leaf.split() if w not in _FILLER) or leaf
    for key, leaves in _LEAVES.items():
        if leaf not in leaves:
            continue
        if key in ("severity", "likelihood", "rating", "rationale"):
            return f"{stage or 'initial'}.{key}"
        if key == "control":
            if leaf == "controls" and whole == "controls":
                return "controls_text"
            origin = "existing" if "existing" in whole else "additional"
            return f"control.{_kind_of(whole)}.{origin}"
        return key
    return "ignore"


def staged_by_position(headings: list[list[str]], mapping: list[str]) -> list[str]:
    """Estimate columns whose headings name no stage, told apart by position: a second
    Severity (or Likelihood, Risk, Justification) after the first is the residual one."""
    seen: set[str] = set()
    out = []
    for heading, key in zip(headings, mapping, strict=True):
        stage, _, part = key.partition(".")
        if stage in STAGES and part in ESTIMATE_PARTS:
            named = _stage_of(" ".join(_words(h) for h in heading))
            if not named and f"initial.{part}" in seen:
                key = f"residual.{part}"
            seen.add(key)
        out.append(key)
    return out


# --- tables in a file ----------------------------------------------------------------------


@dataclass
class SheetTable:
    name: str
    rows: list[tuple[int, list[str]]]  # (row number as the file shows it, cell texts)
    merged_heads: dict[tuple[int, int], str] = field(default_factory=dict)

    def cell(self, row_index: int, column: int) -> str:
        number, cells = self.rows[row_index]
        value = cells[column] if column < len(cells) else ""
        return value or self.merged_heads.get((number, column), "")

    @property
    def width(self) -> int:
        return max((len(cells) for _, cells in self.rows), default=0)


def read_tables(data: bytes, filename: str) -> list[SheetTable]:
    """Every sheet of an XLSX file, or the one table of a CSV file, as text cells. A file
    larger than a hazard log can be (unpacked, or in rows and cells) is refused before it
    is read whole."""
    if filename.lower().endswith(".csv"):
        return [_read_csv(data, filename)]
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LogFileError(
            f"{filename} is not an XLSX workbook or a CSV file; save it as .xlsx or .csv."
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise LogFileError(
                f"{filename} unpacks to {unpacked:,} bytes, more than the {MAX_UNPACKED_BYTES:,} "
                "a hazard log may hold; remove the sheets and cells that are not the log."
            )
        try:
            # Read-only streams the rows rather than building every cell in memory; cached
            # values, so a rating Excel computed with a formula reads as its number.
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            tables = [_read_sheet(sheet, filename, archive) for sheet in workbook.worksheets]
        except LogFileError:
            raise
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise LogFileError(f"{filename} cannot be read as an XLSX workbook: {error}") from None
    return _rejoin(tables)


def _rejoin(tables: list[SheetTable]) -> list[SheetTable]:
    """The tables with each text the export split over the Continued sheet whole again."""
    continued = next((t for t in tables if t.name == CONTINUED_SHEET), None)
    if continued is None or tuple(continued.rows[0][1][:4] if continued.rows else ()) != (
        CONTINUED_HEADERS
    ):
        return tables
    by_name = {t.name: t for t in tables}
    for number, cells in continued.rows[1:]:
        sheet, address, _part, text = [*cells, "", "", "", ""][:4]
        try:
            letters, row = coordinate_from_string(address)
            column = column_index_from_string(letters) - 1
        except (CellCoordinatesException, ValueError):
            raise LogFileError(
                f"Sheet {CONTINUED_SHEET!r} row {number}: {address!r} is not a cell address."
            ) from None
        table = by_name.get(sheet)
        texts = next((c for n, c in table.rows if n == row), None) if table else None
        if texts is None or column >= len(texts):
            raise LogFileError(
                f"Sheet {CONTINUED_SHEET!r} row {number} continues {sheet}!{address}, "
                "which holds no text."
            )
        texts[column] = texts[column].removesuffix(CONTINUED) + text
    return [t for t in tables if t is not continued]


def _read_sheet(sheet: Any, filename: str, archive: zipfile.ZipFile) -> SheetTable:
    sheet.reset_dimensions()  # a sheet's stated size is often wrong: read the cells it has
    rows: list[tuple[int, list[str]]] = []
    cells = blank_run = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        texts = [_text(v) for v in values]
        while texts and not texts[-1]:
            texts.pop()  # a formatted but empty column is no column
        blank_run = 0 if texts else blank_run + 1
        if blank_run > END_GAP and number > HEADER_SEARCH_ROWS:
            # Past END_GAP blank rows a run says nothing more (sheets are often formatted to
            # row 1,048,576); the header rows are kept whole, as the merged headings index them.
            continue
        cells += len(texts)
        if len(rows) >= MAX_ROWS or cells > MAX_CELLS:
            size = f"{MAX_ROWS:,} rows" if len(rows) >= MAX_ROWS else f"{MAX_CELLS:,} cells"
            raise LogFileError(
                f"{filename}: sheet {sheet.title!r} has more than {size}, more than a hazard "
                "log holds; remove the rows and columns that are not the log."
            )
        rows.append((number, texts))
    table = SheetTable(sheet.title, rows)
    for first_row, last_row, first_column, last_column in _merged_ranges(archive, sheet):
        value = table.cell(first_row - 1, first_column - 1) if first_row <= len(rows) else ""
        for r in range(first_row, min(last_row, HEADER_SEARCH_ROWS) + 1):
            for c in range(first_column, last_column + 1):
                table.merged_heads[(r, c - 1)] = value
    return table


def _merged_ranges(archive: zipfile.ZipFile, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges that start within the header rows, read from the sheet's XML
    (openpyxl's streaming reader does not keep them): (first row, last row, first column,
    last column), 1-based."""
    ranges = []
    with archive.open(sheet._worksheet_path) as source:  # the part openpyxl read the rows from
        for ref in _merge_refs(source):
            ends = _range_ends(ref)
            if ends and ends[0] <= HEADER_SEARCH_ROWS:
                ranges.append(ends)
    return ranges


def _merge_refs(source: IO[bytes]) -> Iterator[str]:
    """The ``ref`` of each ``<mergeCell>`` in a sheet's XML, found by a scan of its bytes in
    chunks: the elements come after every row, and parsing the rows a second time only to
    reach them took a third of the time of reading the file. A ``<mergeCell>`` holds nothing
    but its ref, so no markup can hide in it; the tail of each chunk past its last match is
    scanned again with the next, so an element cut by a chunk's end is still found once."""
    tail = b""
    while chunk := source.read(1 << 20):
        text, end = tail + chunk, 0
        for match in MERGE_CELL.finditer(text):
            yield match["ref"].decode("ascii", errors="replace")
            end = match.end()
        tail = text[max(end, len(text) - 1024) :]


def _range_ends(ref: str) -> tuple[int, int, int, int] | None:
    first_column, first_row, last_column, last_row = range_boundaries(ref)
    if first_row and last_row and first_column and last_column:
        return first_row, last_row, first_column, last_column
    return None  # a whole-row or whole-column ref ("A:C") merges no heading


def _read_csv(data: bytes, filename: str) -> SheetTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline='' lets the reader end rows at \r too: Excel's "CSV (Macintosh)" writes no \n.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = [(n, [unneutralise(c.strip()) for c in cells]) for n, cells in enumerate(reader, 1)]
    except csv.Error as error:
        raise LogFileError(f"{filename} cannot be read as CSV: {error}") from None
    if len(rows) > MAX_ROWS:
        raise LogFileError(
            f"{filename} has more than {MAX_ROWS:,} rows, more than a hazard log holds."
        )
    return SheetTable("CSV", rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unneutralise(str(value).strip())


def unneutralise(text: str) -> str:
    """Undo the apostrophe clinsafe's export puts before text Excel would run as a formula."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- finding the header --------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where the log is in a file: the sheet, the rows the header spans, each column's
    heading and the key it maps to."""

    sheet: str
    header_rows: tuple[int, int]  # first and last row number of the header
    headings: tuple[str, ...]
    mapping: tuple[str, ...]

    @property
    def columns(self) -> list[tuple[str, str, str]]:
        """(column letter, heading, key) for each column."""
        return [
            (get_column_letter(i + 1), h, k)
            for i, (h, k) in enumerate(zip(self.headings, self.mapping, strict=True))
        ]


def _score(mapping: list[str]) -> int:
    keys = [k for k in mapping if k != "ignore"]
    if not ({"title", "description"} & set(keys)) or len(set(keys)) < 2:
        return 0
    return len(set(keys)) + sum(k.startswith("control.") for k in keys)


def find_layout(tables: list[SheetTable]) -> tuple[SheetTable, Layout]:
    best: tuple[int, int, SheetTable, Layout] | None = None
    for table in tables:
        if table.name.strip().lower() == "controls":
            continue  # clinsafe's export keeps controls on their own sheet
        width = table.width
        limit = min(HEADER_SEARCH_ROWS, len(table.rows))
        for end in range(limit):
            for start in range(max(0, end - HEADER_SPAN + 1), end + 1):
                headings = []
                for column in range(width):
                    parts = [table.cell(r, column) for r in range(start, end + 1)]
                    headings.append(list(dict.fromkeys(p for p in parts if p)))
                mapping = staged_by_position(headings, [key_for(h) for h in headings])
                score = _score(mapping)
                # Prefer more recognised columns, then the shorter header.
                rank = (score, -(end - start))
                if score and (best is None or rank > (best[0], best[1])):
                    layout = Layout(
                        sheet=table.name,
                        header_rows=(table.rows[start][0], table.rows[end][0]),
                        headings=tuple(" / ".join(h) for h in headings),
                        mapping=tuple(mapping),
                    )
                    best = (score, -(end - start), table, layout)
    if best is None:
        raise LogFileError(
            "No sheet has a hazard log header: clinsafe looks for columns such as "
            "'Hazard description' or 'Hazard name', 'Causes', 'Severity', 'Likelihood'."
        )
    return best[2], best[3]


# --- reading the rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int
    field: str
    message: str
    # What importing the sound part of the file does about it (`parse_log`'s caller may
    # choose that); "" when the problem stops the import whatever is chosen.
    outcome: str = ""


@dataclass
class ParsedEstimate:
    severity: Severity
    likelihood: Likelihood
    rationale: str
    stated: str  # the rating the file states, as written; "" if none
    row: int = 0

    @property
    def rating(self) -> int:
        return NHS_EXAMPLE_SCHEME.rating(self.severity, self.likelihood)

    @property
    def mismatch(self) -> bool:
        return bool(self.stated) and stated_rating(self.stated) != self.rating


@dataclass
class ParsedControl:
    row: int
    description: str
    kind: str
    origin: str
    status: str = ""
    evidence: str = ""
    link: str = ""
    reference: str = ""  # the control's reference in the file, as written, e.g. "C-003"
    hazard_keys: list[str] = field(default_factory=list)  # when listed on a Controls sheet
    owner: str = ""

    @property
    def key(self) -> str:
        return id_key(self.reference)


@dataclass
class ParsedHazard:
    row: int
    reference: str  # the hazard's reference in the file, as written ("NRL03", "7")
    title: str
    description: str
    causes: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    harm: str = ""
    context: str = ""
    owner: str = ""
    status: str = "open"
    status_reason: str = ""
    initial: ParsedEstimate | None = None
    residual: ParsedEstimate | None = None
    controls: list[ParsedControl] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    # The reference an earlier import kept (clinsafe's export has it beside H-nnn).
    original: str = ""

    @property
    def key(self) -> str:
        return id_key(self.reference)


@dataclass
class ParsedLog:
    layout: Layout
    hazards: list[ParsedHazard]
    controls: list[ParsedControl]  # from a Controls sheet; linked by hazard_keys
    problems: list[Problem]
    notes: list[str]

    @property
    def new_controls(self) -> int:
        """Controls an import creates: one listed under several hazards by its id is one."""
        seen: set[str] = set()
        count = 0
        for control in [*(c for h in self.hazards for c in h.controls), *self.controls]:
            if not control.key or control.key not in seen:
                count += 1
            seen.add(control.key)
        return count


def parse_log(
    tables: list[SheetTable], mapping: list[str] | None = None, sheet: str | None = None
) -> ParsedLog:
    """Read the hazard log in ``tables``; ``mapping`` (one key per column) and ``sheet``
    override what the headings suggest. A row that cannot be read is a problem, and what
    can be read of the file is kept beside it, so a caller may import the sound part."""
    table, layout = find_layout(tables)
    if sheet is not None and sheet != table.name:
        table = next((t for t in tables if t.name == sheet), table)
    if mapping is not None:
        unknown = [k for k in mapping if k not in VALID_KEYS]
        if unknown:
            raise LogFileError(f"Unknown column mapping: {', '.join(unknown)}.")
        layout = Layout(layout.sheet, layout.header_rows, layout.headings, tuple(mapping))
    reader = _RowReader(layout)
    header_end = layout.header_rows[1]
    blank_run = 0
    after_gap: list[int] = []
    for number, cells in table.rows:
        if number <= header_end:
            continue
        values = [cells[i] if i < len(cells) else "" for i in range(len(layout.mapping))]
        if not any(v for v, k in zip(values, layout.mapping, strict=True) if k != "ignore"):
            blank_run += 1
            continue
        if blank_run >= END_GAP and reader.hazards:
            after_gap.append(number)
            continue
        blank_run = 0
        reader.read(number, values)
    if after_gap:
        reader.notes.append(
            f"Rows {after_gap[0]}–{after_gap[-1]} come after {END_GAP} or more blank rows, "
            "outside the log's table (e.g. a drop-down list); they were not read."
        )
    for column, (letter, heading, key) in enumerate(layout.columns):
        if key == "ignore" and any(
            column < len(c) and c[column] for n, c in table.rows if n > header_end
        ):
            reader.notes.append(
                f"Column {letter} ({heading or 'no heading'}) has values that were not imported."
            )
    if "id" not in layout.mapping and len(reader.hazards) > 1:
        reader.notes.append(
            "No column was recognised as the hazard id, so each row with a new title or "
            "description is a hazard, and a row repeating the one above continues it. If the "
            "log numbers its hazards, map that column to Hazard id."
        )
    controls = _controls_sheet(tables, reader)
    if not reader.hazards and not reader.problems:
        reader.notes.append("The log has no hazards below its header: nothing to import.")
    return ParsedLog(layout, reader.hazards, controls, reader.problems, reader.notes)


class _RowReader:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.hazards: list[ParsedHazard] = []
        self.by_key: dict[str, ParsedHazard] = {}
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def problem(self, row: int, name: str, message: str, outcome: str = "") -> None:
        self.problems.append(Problem(row, name, message, outcome))

    def read(self, number: int, values: list[str]) -> None:
        row: dict[str, str] = {}
        cells: list[tuple[str, str, str]] = []  # (key, description, evidence) per control cell
        for key, value in zip(self.layout.mapping, values, strict=True):
            if key.startswith("control."):
                cells.append((key, value, ""))
            elif key == "evidence":
                if cells and value:
                    key_, text, evidence = cells[-1]
                    cells[-1] = (key_, text, f"{evidence}\n{value}" if evidence else value)
            elif key != "ignore" and value:
                row[key] = f"{row[key]}\n{value}" if key in row else value
        hazard = self._hazard_for(number, row)
        if hazard is None:
            return
        hazard.rows.append(number)
        hazard.causes += self._items(number, "causes", row.get("causes", ""))
        hazard.effects += self._items(number, "effects", row.get("effects", ""))
        status = self._control_status(number, row.get("control_status", ""))
        owner = row.get("control_owner", "")
        stated_kind = self._control_kind(number, row.get("control_kind", ""))
        for key, text, evidence in cells:
            _, kind, origin = key.split(".")
            kind = stated_kind or kind
            for description in list_items(text):
                hazard.controls.append(
                    ParsedControl(number, description, kind, origin, status=status,
                                  evidence=evidence, owner=owner)
                )  # fmt: skip
        if row.get("controls_text"):
            hazard.controls += _controls_from_text(number, row["controls_text"])
        for stage in STAGES:
            self._estimate(number, hazard, stage, row)

    def _hazard_for(self, number: int, row: dict[str, str]) -> ParsedHazard | None:
        reference = " ".join(row.get("id", "").split())
        key = id_key(reference)
        text = row.get("title") or row.get("description") or ""
        previous = self.hazards[-1] if self.hazards else None
        if key and key in self.by_key:
            hazard = self.by_key[key]
            if text and text not in (hazard.title, hazard.description):
                self.problem(
                    number, "id",
                    f"Hazard {reference} appears again with different text (first at row "
                    f"{hazard.rows[0]}): one id names two hazards; give each its own id.",
                    f"row {number} is not imported",
                )  # fmt: skip
                return None
            return hazard
        if not key and (not text or (previous and text in (previous.title, previous.description))):
            if previous is None:
                self.problem(
                    number, "description",
                    "This row has no hazard id or description, and no hazard above it to "
                    "continue.",
                    f"row {number} is not imported",
                )  # fmt: skip
                return None
            return previous  # a continuation row: more controls or causes of the hazard above
        if not text:
            self.problem(
                number, "description", f"Hazard {reference} has no title or description.",
                f"row {number} is not imported",
            )  # fmt: skip
            return None
        description = row.get("description") or row.get("title", "")
        hazard = ParsedHazard(
            row=number,
            reference=reference,
            title=_title(row["title"], TITLE_MAX) if row.get("title") else _title(description),
            description=description,
            harm=row.get("harm", ""),
            context=row.get("context", ""),
            owner=row.get("owner", ""),
            status_reason=row.get("status_reason", ""),
            original=" ".join(row.get("original", "").split()),
        )
        if row.get("status"):
            status = hazard_status(row["status"])
            if status is None:
                self.problem(
                    number, "status",
                    f"Status {row['status']!r} is not one of {', '.join(HAZARD_STATUSES)}.",
                    "the hazard is imported as open",
                )  # fmt: skip
            else:
                hazard.status = status
        self.hazards.append(hazard)
        if key:
            self.by_key[key] = hazard
        return hazard

    def _control_status(self, number: int, text: str) -> str:
        if not text:
            return ""
        status = control_status(text)
        if status is None:
            self.problem(
                number, "control status",
                f"Control status {text!r} is not one of {', '.join(CONTROL_STATUSES)} "
                "(or a word for one, such as Complete or In progress).",
                "the row's controls are imported as proposed",
            )  # fmt: skip
            return "proposed"
        return status

    def _control_kind(self, number: int, text: str) -> str:
        if not text:
            return ""
        words = _words(text)
        kind = next((k for k, label in CONTROL_KINDS.items() if words in (k, _words(label))), None)
        kind = kind or next((k for w, k in _KIND_WORDS if re.search(rf"\b{w}", words)), None)
        if kind is None:
            self.problem(
                number, "control type",
                f"Control type {text!r} is not one of {', '.join(CONTROL_KINDS.values())}.",
                "the row's controls are imported as Health IT design",
            )  # fmt: skip
            return "design"
        return kind

    def _items(self, number: int, name: str, text: str) -> list[str]:
        items = [" ".join(p.split()) if "\n" not in p.strip() else p.strip()
                 for p in re.split(r"\n\s*\n", text) if p.strip()]  # fmt: skip
        kept = []
        for item in items:
            if len(item) > MAX_ITEM:
                self.problem(
                    number, name,
                    f"One of the {name} is {len(item)} characters long; the hazard log holds "
                    f"at most {MAX_ITEM} per entry. Split it with a blank line.",
                    f"that entry of the {name} is not imported",
                )  # fmt: skip
            else:
                kept.append(item)
        return kept

    def _estimate(self, number: int, hazard: ParsedHazard, stage: str, row: dict[str, str]) -> None:
        severity_text = row.get(f"{stage}.severity", "")
        likelihood_text = row.get(f"{stage}.likelihood", "")
        stated = row.get(f"{stage}.rating", "")
        if not (severity_text or likelihood_text or stated):
            return
        earlier: ParsedEstimate | None = getattr(hazard, stage)
        if earlier is not None and not (severity_text or likelihood_text):
            return  # a continuation row repeating the rating alone
        if not (severity_text and likelihood_text):
            missing = "likelihood" if severity_text else "severity"
            self.problem(
                number, f"{stage} {missing}",
                f"The {stage} risk needs both severity and likelihood to be placed on the "
                f"matrix; the {missing} is missing"
                + (f" (the file states rating {stated})." if stated else "."),
                f"the hazard is imported without this row's {stage} risk",
            )  # fmt: skip
            return
        severity = _level(Severity, severity_text)
        likelihood = _level(Likelihood, likelihood_text)
        for value, text, enum in ((severity, severity_text, Severity),
                                  (likelihood, likelihood_text, Likelihood)):  # fmt: skip
            if value is None:
                words = ", ".join(f"{m.label} ({m.value})" for m in enum)
                self.problem(
                    number, f"{stage} {enum.__name__.lower()}",
                    f"{text!r} is not a {enum.__name__.lower()}: use one of {words}.",
                    f"the hazard is imported without this row's {stage} risk",
                )  # fmt: skip
        if severity is None or likelihood is None:
            return
        estimate = ParsedEstimate(
            severity, likelihood, row.get(f"{stage}.rationale", ""), stated, number
        )
        if earlier is None:
            setattr(hazard, stage, estimate)
        elif (earlier.severity, earlier.likelihood) != (severity, likelihood) or (
            stated and earlier.stated and stated_rating(stated) != stated_rating(earlier.stated)
        ):
            self.problem(
                number, f"{stage} risk",
                f"Hazard {hazard.reference or hazard.title!r} continues here with a {stage} "
                f"risk of {_said(estimate)}, but row {earlier.row} gives it {_said(earlier)}: "
                "a hazard has one risk at each stage.",
                f"row {earlier.row}'s {stage} risk is imported and row {number}'s is not",
            )  # fmt: skip


def _said(estimate: ParsedEstimate) -> str:
    said = f"{estimate.severity.label} / {estimate.likelihood.label}"
    return f"{said} (rating {estimate.stated})" if estimate.stated else said


_KIND_BY_LABEL = {_words(label): kind for kind, label in CONTROL_KINDS.items()}


def _controls_sheet(tables: list[SheetTable], reader: _RowReader) -> list[ParsedControl]:
    """Controls from a sheet named "Controls" (clinsafe's export), each linked to the hazards
    it lists by their ids in the file."""
    sheet = next((t for t in tables if t.name.strip().lower() == "controls"), None)
    if sheet is None or not sheet.rows:
        return []
    header = [_words(h) for h in sheet.rows[0][1]]
    columns = {name: header.index(name) for name in header if name}
    if "description" not in columns or "hazard no" not in columns:
        return []
    controls = []
    for number, cells in sheet.rows[1:]:

        def value(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        if not value("description"):
            continue
        kind_text = value("control type")
        kind = _KIND_BY_LABEL.get(_words(kind_text)) or (
            kind_text if kind_text in CONTROL_KINDS else None
        )
        if kind is None:
            reader.problem(
                number, "Controls: type",
                f"Control type {kind_text!r} is not one of {', '.join(CONTROL_KINDS.values())}.",
                f"the control on row {number} of the Controls sheet is not imported",
            )  # fmt: skip
            continue
        keys = [id_key(i) for i in re.split(r"[,;\s]+", value("hazard no")) if i.strip()]
        for key, written in zip(keys, re.split(r"[,;\s]+", value("hazard no")), strict=False):
            if key not in reader.by_key:
                reader.problem(
                    number, "Controls: hazard no",
                    f"Control {value('control no')} names hazard {written}, which is not in "
                    "the log.",
                    f"the control is imported without a link to {written}",
                )  # fmt: skip
        controls.append(
            ParsedControl(
                row=number,
                description=value("description"),
                kind=kind,
                origin=value("origin").lower() or "additional",
                status=reader._control_status(number, value("status")),
                evidence=value("evidence"),
                link=value("evidence link"),
                reference=value("file reference") or value("control no"),
                hazard_keys=[k for k in keys if k in reader.by_key],
                owner=value("owner"),
            )
        )
    for hazard in reader.hazards:
        hazard.controls = []  # the Controls sheet is the full record of them
    return controls


_CONTROL_LINE = re.compile(
    r"^(?P<ref>C-\d+) \((?P<kind>[^,()]+), (?P<origin>existing|additional), "
    r"(?P<status>proposed|implemented|verified)(?:, evidence: (?P<evidence>.*?))?\): (?P<text>.*)$"
)


def control_line(reference: str, kind_label: str, origin: str, status: str, evidence: str,
                 description: str) -> str:  # fmt: skip
    """A control as one cell line of clinsafe's export, read back by `_controls_from_text`."""
    evidence = " ".join(evidence.split())
    return (f"{reference} ({kind_label}, {origin}, {status}"
            f"{f', evidence: {evidence}' if evidence else ''}): {description}")  # fmt: skip


def _controls_from_text(number: int, text: str) -> list[ParsedControl]:
    """Controls as clinsafe's export writes them in one cell, one a line (see
    `control_line`; a line not so headed continues the one above); any other text is read
    as a list (`list_items`), one control an item."""
    controls: list[ParsedControl] = []
    for line in text.splitlines():
        match = _CONTROL_LINE.match(line)
        if match:
            kind = _KIND_BY_LABEL.get(_words(match["kind"]), "design")
            controls.append(
                ParsedControl(number, match["text"], kind, match["origin"],
                              status=match["status"], evidence=match["evidence"] or "",
                              reference=match["ref"])
            )  # fmt: skip
        elif controls:
            controls[-1].description += "\n" + line
        elif line.strip():
            return [ParsedControl(number, item, "design", "additional")
                    for item in list_items(text)]  # fmt: skip
    return controls


_LIST_MARKER = re.compile(r"^\s*(?:\(?\d{1,2}[.):]|\(?[a-z][.)]|[•·▪‣◦*–-])\s+", re.IGNORECASE)


def list_items(text: str) -> list[str]:
    """A cell's text as the list it holds: "1. Check units\n2. Train staff" is two items,
    each without its marker, a line not so marked going on with the item above. A text that
    does not open with a marker is one item, lead-in and all."""
    text = text.strip()
    lines = text.splitlines()
    if not text or not _LIST_MARKER.match(lines[0]):
        return [text] if text else []
    items: list[str] = []
    for line in lines:
        if _LIST_MARKER.match(line):
            items.append(_LIST_MARKER.sub("", line, count=1).strip())
        elif line.strip():
            items[-1] = f"{items[-1]}\n{line.strip()}"
    return [item for item in items if item]


def id_key(text: str) -> str:
    """What a reference is matched on: "H-007", "h007" and "H 7" are one hazard, as are
    "007", "7" and "7\\n"; "NRL03" and "H03" are two."""
    text = "".join(text.split()).upper()
    match = re.fullmatch(r"([A-Z]*)[-_.]?0*(\d+)", text)
    return f"{match.group(1)}{match.group(2)}" if match else text


CONTROL_STATUSES = ("proposed", "implemented", "verified")
# What people write in a status column, for each status (matched at the start, any case).
_HAZARD_STATUS_WORDS = {
    "open": "open", "new": "open", "active": "open", "in progress": "open", "ongoing": "open",
    "live": "open", "under review": "open", "mitigated": "controlled", "controlled": "controlled",
    "accepted": "accepted", "transferred": "transferred", "closed": "closed",
    "resolved": "closed", "complete": "closed",
}  # fmt: skip
_CONTROL_STATUS_WORDS = {
    "proposed": "proposed", "planned": "proposed", "open": "proposed", "not started": "proposed",
    "in progress": "proposed", "ongoing": "proposed", "outstanding": "proposed",
    "to do": "proposed", "todo": "proposed", "pending": "proposed",
    "implemented": "implemented", "in place": "implemented", "complete": "implemented",
    "done": "implemented", "closed": "implemented", "existing": "implemented",
    "verified": "verified", "tested": "verified", "effective": "verified",
}  # fmt: skip


def _status_from(words: dict[str, str], text: str) -> str | None:
    said = _words(text)
    return next((s for w, s in words.items() if said == w or said.startswith(f"{w} ")), None)


def hazard_status(text: str) -> str | None:
    """The hazard status a file's words mean ("Closed", "CLOSED", "Resolved"), or None."""
    return _status_from(_HAZARD_STATUS_WORDS, text)


def control_status(text: str) -> str | None:
    """The control status a file's words mean ("Complete", "In progress"), or None."""
    return _status_from(_CONTROL_STATUS_WORDS, text)


def _title(text: str, limit: int = TITLE_LENGTH) -> str:
    """A title from the first line of ``text``, cut at a word within ``limit``."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0] + "…"


def _level(enum: type[Level], text: str) -> Level | None:
    words = _words(text)
    for member in enum:
        if words in (_words(member.label), str(member.value)) or words.startswith(
            f"{member.value} "
        ):
            return member
    # "Very Low" / "very-low" / "Low (2)" and the like.
    for member in sorted(enum, key=lambda m: -len(m.label)):
        if words.startswith(_words(member.label)):
            return member
    return None
