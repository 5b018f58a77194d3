"""Reading and writing spreadsheets, with no knowledge of what their rows mean.

Reading: .xlsx and .xls through python-calamine (fast, and it reads both formats), .csv in UTF-8 or
GB18030 (what Excel on a Chinese Windows saves). Rows come out one at a time as lists of cell values
(str, int, float, date, datetime), with their row number as Excel shows it. The file is read in a
process of its own, under a memory limit, after its size is checked (lockdown/core/sheet_reader.py):
an uploaded file may be hostile, and no file may take down the process that asked for its rows.

Writing: openpyxl in write-only mode, which streams rows to the file instead of holding the workbook.
"""

import contextlib
import csv
import datetime
import fcntl
import io
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import sheet_reader
from .errors import ServiceError
from .formulas import inert, looks_like_formula

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
SUFFIXES = EXCEL_SUFFIXES | {".csv"}
READER = Path(__file__).with_name("sheet_reader.py")
READER_MEMORY = sheet_reader.MEMORY_LIMIT
READER_SENT = sheet_reader.MAX_SENT  # bytes of frames one file may send
PIPE_BYTES = 2**20  # what Linux lets a process ask for (/proc/sys/fs/pipe-max-size)


def require_import_size(upload, *, field="file") -> None:
    """Refuse an upload over the imports' bound (settings.IMPORT_MAX_BYTES) before it is read."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        message = _("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_BYTES // 2**20}
        raise ServiceError(message, field=field)


class UnreadableFile(Exception):
    """The file is not a spreadsheet this module can read; the message says why, in English."""


class TooLarge(UnreadableFile):
    """The file is beyond the bounds of lockdown/core/sheet_reader.py: `reason` says which (rows,
    columns, cells of a sheet, sheets, lines, the zip's members, size or ratio, a cell's text, what the
    file sends, memory), `numbers` what the file has and what is allowed, for a message saying what to do."""

    def __init__(self, reason: str, numbers: dict):
        super().__init__(f"{reason}: {numbers}")
        self.reason, self.numbers = reason, numbers


@dataclass(frozen=True)
class Sheet:
    name: str
    height: int  # rows, for progress; the last rows may be blank
    rows: Iterator[tuple[int, list]] = field(default_factory=lambda: iter(()))  # (row number from 1, cell values)


def read_sheets(path: Path, *, csv_name: str | None = None) -> Iterator[Sheet]:
    """Every visible worksheet of the file, in order; a .csv file is one sheet named after the file
    (or `csv_name`: the name the person gave it, where the file is stored under another).
    UnreadableFile (or TooLarge) as soon as the reading finds the file is not one it reads."""
    with _ReadingProcess(path, csv_name or path.stem, with_rows=True) as reading:
        while (frame := reading.next_sheet()) is not None:
            name, height, first = frame
            yield Sheet(name, height, enumerate(reading.rows(), start=first))


def count_lines(path: Path) -> int:
    """The rows of every visible worksheet, for the progress of a reading (calamine's heights: the
    sheets are loaded, their cells not sent)."""
    with _ReadingProcess(path, path.stem, with_rows=False) as reading:
        return sum(frame[1] for frame in iter(reading.next_sheet, None))


class _ReadingProcess:
    """sheet_reader.py run on one file, and the frames it writes, read as they come: a sheet's rows
    arrive while the caller works on the rows before them, and the reading process never holds more
    than one sheet."""

    def __init__(self, path, csv_name, *, with_rows):
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise UnreadableFile(f"unsupported suffix {suffix!r}")
        kind = {".csv": "csv", ".xls": "xls"}.get(suffix, "xlsx")
        mode = "rows" if with_rows else "heights"
        self.command = [sys.executable, "-I", "-P", str(READER), str(path), kind, csv_name, mode]
        self.command += [str(READER_MEMORY), str(READER_SENT), str(os.getpid())]
        self.ahead = None
        self.ended = False

    def __enter__(self):
        self.errors = tempfile.TemporaryFile()  # a file, not a pipe: a long backtrace cannot block it
        self.process = subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.errors
        )
        # A bigger pipe lets the reading run some sheets ahead of the caller: calamine's work on the next
        # sheets overlaps with the caller's on these rows (64 KB, Linux's default, is under 3,000 cells).
        with contextlib.suppress(OSError):
            fcntl.fcntl(self.process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        return self

    def __exit__(self, *exception):
        self.process.stdout.close()
        if self.process.poll() is None:  # the caller stopped early
            self.process.kill()
        self.process.wait()
        self.errors.close()

    def next_sheet(self):
        """(name, height, first row) of the next sheet, past what is left of this one's rows; None at the end."""
        while (frame := self._take()) is not None:
            if frame[0] == "sheet":
                return frame[1:]
        return None

    def rows(self):
        while (frame := self._peek()) is not None and frame[0] == "rows":
            self.ahead = None
            yield from frame[1]

    def _peek(self):
        if self.ahead is None and not self.ended:
            self.ahead = self._load()
        return self.ahead

    def _take(self):
        frame, self.ahead = self._peek(), None
        return frame

    def _load(self):
        try:
            frame = _CellsUnpickler(self.process.stdout).load()
        except EOFError:
            raise self._died() from None
        match frame:
            case ("end",):
                self.ended = True
                return None
            case ("refused", reason, numbers):
                raise TooLarge(reason, numbers)
            case ("unreadable", why):
                raise UnreadableFile(why)
        return frame

    def _died(self):
        """The reading process ended without a last word: killed, or out of memory in calamine (which
        aborts rather than raise)."""
        code = self.process.wait()
        self.errors.seek(0)
        said = self.errors.read(4000).decode(errors="replace")
        if code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV) or "memory allocation" in said:
            return TooLarge("memory", {"code": code})
        return UnreadableFile(f"the reading process ended with {code}: {said[-500:]}")


class _CellsUnpickler(pickle.Unpickler):
    """Frames hold cell values only: nothing else may be loaded from them."""

    CLASSES = {("datetime", name): getattr(datetime, name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module, name):
        if (module, name) not in self.CLASSES:
            raise pickle.UnpicklingError(f"{module}.{name} is no cell value")
        return self.CLASSES[module, name]


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

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="999999")
BOXED = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# What an .xlsx cannot hold (openpyxl refuses it): control characters, from an uploaded file's cells.
NOT_IN_XLSX = ILLEGAL_CHARACTERS_RE


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
                    looks_like_formula(value) or (type(value) is str and NOT_IN_XLSX.search(value)) for value in row
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
    writer.writerow([inert(column.title) for column in columns])
    writer.writerows([inert(value) for value in row] for row in rows)
