"""Reading and writing spreadsheets, with no knowledge of what their rows mean.

Reading: .xlsx and .xls through python-calamine (fast, and it reads both formats), .csv in UTF-8 or
GB18030 (what Excel on a Chinese Windows saves). Rows come out one at a time as lists of cell values
(str, int, float, date, datetime), with their row number as Excel shows it.

Writing: openpyxl in write-only mode, which streams rows to the file instead of holding the workbook.
"""

import codecs
import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
SUFFIXES = EXCEL_SUFFIXES | {".csv"}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class UnreadableFile(Exception):
    """The file is not a spreadsheet this module can read; the message says why, in English."""


@dataclass(frozen=True)
class Sheet:
    name: str
    height: int  # rows, for progress; the last rows may be blank
    rows: Iterator[tuple[int, list]]  # (row number from 1, cell values)


def read_sheets(path: Path, *, csv_name: str | None = None) -> Iterator[Sheet]:
    """Every visible worksheet of the file, in order; a .csv file is one sheet named after the file
    (or `csv_name`: the name the person gave it, where the file is stored under another)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield _csv_sheet(path, csv_name or path.stem)
        return
    if suffix not in EXCEL_SUFFIXES:
        raise UnreadableFile(f"unsupported suffix {suffix!r}")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            # Calamine's range starts at the first used cell; Excel's row numbers count from row 1.
            first = sheet.start[0] + 1 if sheet.start else 1
            yield Sheet(meta.name, sheet.height, enumerate(sheet.iter_rows(), start=first))
    except CalamineError as error:
        raise UnreadableFile(str(error)) from None


def csv_encoding(path: Path) -> str:
    """UTF-8 when every byte decodes as UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_sheet(path, name):
    encoding = csv_encoding(path)
    with path.open("rb") as file:
        height = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))

    def rows():
        with path.open(encoding=encoding, newline="", errors="replace") as file:
            yield from enumerate(csv.reader(file), start=1)

    return Sheet(name, height, rows())


def cell_text(value) -> str:
    """A cell as the person sees it: 3.0 → "3", a date → 2022-04-01, None → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.strftime("%Y-%m-%d")
    return str(value)


# Writing -------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="999999")
BOXED = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# A text cell starting with one of these is run as a formula by some office suite: OWASP's list for
# CSV injection (= + - @, tab, carriage return), the line feed, the NUL that LibreOffice drops before
# reading an "=" after it, and the full-width signs a Chinese input method types (an office suite
# that folds them to half-width would run them too). A cell whose value is a number is a number and
# passes; text that starts so is always neutralised, whatever follows the sign ("=1+1", "-2+3+cmd|…").
FORMULA_STARTS = frozenset("=+-@\t\r\n\x00＝＋－＠")
# What an .xlsx cannot hold (openpyxl refuses it): control characters, from an uploaded file's cells.
NOT_IN_XLSX = ILLEGAL_CHARACTERS_RE


def looks_like_formula(value) -> bool:
    return type(value) is str and value[:1] in FORMULA_STARTS


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 12


@dataclass(frozen=True)
class SheetSpec:
    """One sheet to write: its name, columns and rows, the title rows above the header, and whether
    it is laid out for printing on A4 (landscape, fitted to the width, header repeated on every page)."""

    name: str
    columns: list[Column]
    rows: Iterable[list]
    titles: tuple[str, ...] = ()
    for_print: bool = False
    as_text: bool = False  # every cell formatted as text, so that a number typed into it stays as typed


def write_table(sheets: Iterable[SheetSpec], target) -> None:
    """Write the sheets to `target` (a path or a binary file) in streaming mode: rows go to the file as
    they come, so a whole street's register is never held in memory."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        worksheet = workbook.create_sheet(title=spec.name[:31])
        for index, column in enumerate(spec.columns):
            worksheet.column_dimensions[get_column_letter(index + 1)].width = column.width
        if spec.for_print:
            _lay_out_for_print(worksheet, header_rows=len(spec.titles) + 1)
        for title in spec.titles:
            cell = _text_cell(worksheet, title)
            cell.font = Font(bold=True, size=14)
            worksheet.append([cell])
        worksheet.append([_header_cell(worksheet, column.title) for column in spec.columns])
        if spec.for_print:
            for row in spec.rows:
                worksheet.append([_boxed_cell(worksheet, value) for value in row])
        elif spec.as_text:
            for row in spec.rows:
                worksheet.append([_text_cell(worksheet, value, as_text=True) for value in row])
        else:
            for row in spec.rows:
                # Most rows are plain values, appended as they are; a row with a cell to neutralise or
                # clean is written cell by cell.
                if any(
                    type(value) is str and (value[:1] in FORMULA_STARTS or NOT_IN_XLSX.search(value)) for value in row
                ):
                    row = [_text_cell(worksheet, value) for value in row]
                worksheet.append(row)
    if not workbook.worksheets:
        workbook.create_sheet()
    workbook.save(target)


def _lay_out_for_print(worksheet, header_rows):
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.print_title_rows = f"1:{header_rows}"
    worksheet.page_margins.left = worksheet.page_margins.right = 0.4


def _header_cell(worksheet, title):
    cell = _text_cell(worksheet, title)
    cell.font, cell.border = Font(bold=True), BOXED
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def _boxed_cell(worksheet, value):
    cell = _text_cell(worksheet, value)
    cell.border = BOXED
    return cell


def _text_cell(worksheet, value, as_text=False):
    """A cell that shows what was typed. openpyxl would make "=…" a formula (and "#N/A" an error), and
    Excel runs a formula; a text cell that starts like one is marked as Excel marks text typed after
    an apostrophe (quotePrefix), so that it stays text when someone edits it in the sheet. The value
    keeps no apostrophe: the workbook imports again as it was exported.
    `as_text`: formatted as text, so that what a person types there later stays as typed."""
    if type(value) is str and NOT_IN_XLSX.search(value):
        value = NOT_IN_XLSX.sub("", value)
    cell = WriteOnlyCell(worksheet, value=value)
    if cell.data_type in ("f", "e"):
        cell.data_type = "s"
    if looks_like_formula(value):
        cell.quotePrefix = True
    if as_text:
        cell.number_format = "@"
    return cell


def write_csv(columns: list[Column], rows: Iterable[list], file: io.TextIOBase):
    """CSV with a byte-order mark, so that Excel on Windows opens the Chinese text correctly.

    Every field is quoted: an office suite that splits fields at ";" (Excel in many locales), or
    that a person tells to, still reads "a;=1+1" as one text field, not a field that starts "="."""
    file.write("\ufeff")
    writer = csv.writer(file, quoting=csv.QUOTE_ALL)
    writer.writerow([_inert(column.title) for column in columns])
    writer.writerows([_inert(value) for value in row] for row in rows)


def _inert(value):
    """Text an office suite would run as a formula gets a leading apostrophe, as OWASP advises: the
    suite shows it as text. (The import takes the apostrophe off again: lockdown.core.text.)"""
    if type(value) is str and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
