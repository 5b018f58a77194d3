"""The reading of an uploaded spreadsheet, in a process of its own under a memory limit.

lockdown.core.spreadsheets runs this file as a script (`python -I -P sheet_reader.py <path> …`) and
reads what it writes to stdout: pickled frames, ("sheet", name, height, first row), ("rows", [row,
…]), then ("end",), or ("refused", reason, numbers) / ("unreadable", why). It imports nothing of the
project, so that it starts fast and a hostile file reaches nothing but this process.

Before calamine reads a sheet, its size is checked from the file itself: calamine allocates the whole
rectangle from the first to the last cell that holds a value, 32 bytes a cell, so a 2 KB .xlsx with a
value at XFD1048576 asks for 512 GB. Whatever slips past the checks meets the memory limit, and only
this process dies of it.
"""

import codecs
import csv
import os
import pickle
import re
import resource
import signal
import sys
import zipfile
from xml.etree import ElementTree

# What a register may be. A community's workbook has some 5,000–20,000 rows, a whole street's (the
# benchmark's) 100,000 rows in 100 sheets of 13 columns: 72 MB of sheet XML, compressed 9:1. These
# bounds leave twice that room and refuse only what a broken or hostile file declares.
MAX_ROWS = 200_000  # in one sheet, and in the whole file
MAX_COLUMNS = 200
MAX_CELLS = 10_000_000  # one sheet's rectangle, rows × columns: 320 MB in calamine
MAX_SHEETS = 1_000
MAX_MEMBERS = 5_000  # files inside the .xlsx (a zip): the benchmark's has 107
MAX_UNCOMPRESSED = 200 * 2**20  # all of them together, unpacked
MAX_RATIO = 100  # unpacked : packed, of any member over RATIO_FROM (a zip bomb packs 1000:1 and more)
RATIO_FROM = 2**20
MAX_LINE = 2**20  # one line of a .csv, in bytes
MAX_CELL_TEXT = 32_767  # characters in one cell: Excel's own limit, so no register holds more
# What the caller is sent of one file, pickled. A cell holding a shared string is sent as a copy of it,
# so a file's size does not bound this: a 767 KB .xlsx of one 1 MB string in 300 cells sends 314 MB.
MAX_SENT = 2 * MAX_UNCOMPRESSED
# The reading process's address space (lockdown.core.spreadsheets.READER_MEMORY). The benchmark's
# workbook peaks at about 150 MB; a 200,000 × 30 sheet at under 1 GB.
MEMORY_LIMIT = 2 * 2**30
CPU_LIMIT = 600  # seconds: the benchmark's workbook takes under 10; past this the reading is hostile
BATCH = 500  # rows a frame
PR_SET_PDEATHSIG = 1  # linux/prctl.h

CHUNK = 1 << 20
# A cell that holds something, as Excel, WPS, LibreOffice and openpyxl write it: <c r="B7" …>…</c>;
# calamine leaves out the empty ones (<c r="B7" s="1"/>, <c …></c>), and so does this. Its column
# letters are enough at first: the rows are those of the <row r="7"> around it, a fifth of the time of
# reading each cell's row. Only if that is beyond the bounds (empty rows count there: a border far
# below) are the cells' own rows read.
CELL = re.compile(rb'<c r="([A-Za-z]+)[0-9]+"[^/>]*>(?!</c>)')  # calamine reads "xfd1" as XFD1
CELL_AT = re.compile(rb'<c r="([A-Za-z]+)([0-9]+)"[^/>]*>(?!</c>)')
ROW = re.compile(rb'<row r="([0-9]+)"')
# Any other spelling of a cell or row (r not first or absent, a namespace prefix) sends the sheet to
# the slower reading below, which follows calamine's rules for each tag. A writer spells every cell
# alike, so the first 64 KB of a sheet tell (counting in all of it would cost a quarter of a second
# on the benchmark's 72 MB). A file spelling them otherwise further on is hostile: it meets the
# memory limit.
ODD = (b"<c>", b"<c/", b"<row>", b"<row/")
HEAD = 2**16
PREFIXED = re.compile(rb"<[\w.-]+:worksheet\b")
TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
ATTRIBUTE_R = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class Refused(Exception):
    """The file is beyond the bounds above: `reason` and the numbers the message quotes."""

    def __init__(self, reason, **numbers):
        super().__init__(reason, numbers)
        self.reason, self.numbers = reason, numbers


class Unreadable(Exception):
    pass


# Checks -----------------------------------------------------------------------------------------------


class CheckedWorkbook:
    """An .xlsx/.xlsm's zip, checked as a whole when opened and sheet by sheet before calamine reads
    each (so that the checking of a sheet overlaps with the caller's work on the rows before it)."""

    def __init__(self, path):
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise Unreadable(f"not a zip file: {error}") from None
        members = self.archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise Refused("members", members=len(members), most=MAX_MEMBERS)
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNCOMPRESSED:
            raise Refused("unpacked", mb=unpacked // 2**20, most=MAX_UNCOMPRESSED // 2**20)
        for member in members:
            if member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise Refused("ratio", ratio=member.file_size // max(member.compress_size, 1), most=MAX_RATIO)
        self.sheets = self._sheet_members()
        self.unlisted = [  # every other XML: a DTD is refused there too, and cells are looked for if need be
            member
            for member in members
            if member.filename.lower().endswith((".xml", ".rels")) and member.filename not in self.sheets.values()
        ]
        for member in self.unlisted:
            _read_member(self.archive, member, _NoDtd())

    def check_sheet(self, name):
        """Refuse the sheet of this name if the rectangle of its cells is beyond the bounds."""
        member = self.sheets.get(name)
        if member is None:  # not found through the workbook's list: any member holding cells may be it
            for member in self.unlisted:
                _check_extent(name, self._extent(member))
            self.unlisted = []
        else:
            _check_extent(name, self._extent(self.archive.getinfo(member)))

    def _extent(self, member):
        extent = _read_member(self.archive, member, _Extent())
        if extent is not None and not _within(extent):
            extent = _read_member(self.archive, member, _Extent(cells_rows=True))
        return extent

    def _sheet_members(self):
        """{the sheet's name on its tab: its member}, as calamine finds them; {} if the workbook does not say."""
        main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        relationships = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
        try:
            links = self._parsed("xl/_rels/workbook.xml.rels")
            sheets = self._parsed("xl/workbook.xml").iter(f"{main}sheet")
        except (KeyError, ElementTree.ParseError):
            return {}
        targets = {link.get("Id"): link.get("Target", "") for link in links}
        members = {sheet.get("name"): targets.get(sheet.get(f"{relationships}id"), "") for sheet in sheets}
        members = {name: target[1:] if target.startswith("/") else f"xl/{target}" for name, target in members.items()}
        names = set(self.archive.namelist())
        return {name: member for name, member in members.items() if member in names}

    def _parsed(self, name):
        data = self.archive.read(name)
        if DTD.search(data):
            raise Unreadable("a DTD in the workbook's XML")
        return ElementTree.fromstring(data)


def _read_member(archive, member, reader):
    """Feed the member to `reader` in chunks, never more than its declared size; its extent."""
    left = member.file_size
    with archive.open(member) as file:
        carry = b""
        while left > 0 and (chunk := file.read(min(CHUNK, left))):
            left -= len(chunk)
            data = carry + chunk
            cut = data.rfind(b"<")  # a tag cut in two is read whole with the next chunk
            if cut <= 0 or len(data) - cut > 2**16:
                cut = len(data)
            reader.feed(data[:cut])
            carry = data[cut:]
        reader.feed(carry)
    return reader.extent()


def _check_extent(name, extent):
    """Refuse a sheet whose cells holding a value span more than the bounds: (rows, columns, cells)."""
    if extent is not None and not _within(extent):
        rows, columns, _cells = extent
        raise Refused("sheet", sheet=name, rows=rows, columns=columns, most_rows=MAX_ROWS, most_columns=MAX_COLUMNS)


def _within(extent):
    rows, columns, cells = extent
    return rows <= MAX_ROWS and columns <= MAX_COLUMNS and rows * columns <= MAX_CELLS and cells <= MAX_CELLS


class _NoDtd:
    def feed(self, data):
        if DTD.search(data):
            raise Unreadable("a DTD in the workbook's XML")  # never in Excel's files; entity bombs are

    def extent(self):
        return None


class _Extent(_NoDtd):
    def __init__(self, cells_rows=False):
        self.cells_rows = cells_rows
        self.top = self.left = sys.maxsize
        self.bottom = self.right = self.cells = 0
        self.odd = None
        self.row = self.column = 0  # calamine's position for a tag without r

    def feed(self, data):
        super().feed(data)
        if self.odd is None:
            head = data[: data.rfind(b"<", 0, HEAD)] if len(data) > HEAD else data  # no tag cut in two
            self.odd = (
                head.count(b"<c ") != head.count(b'<c r="')
                or head.count(b"<row ") != head.count(b'<row r="')
                or any(spelling in head for spelling in ODD)
                or PREFIXED.search(head) is not None
            )
        if self.odd:
            self._feed_tags(data)
            return
        if self.cells_rows:
            found = CELL_AT.findall(data)
            letters, lines = {letters for letters, _ in found}, {digits for _, digits in found}
        else:
            found = CELL.findall(data)
            letters, lines = set(found), set(ROW.findall(data))
        if not found:
            return
        self.cells += len(found)
        columns = [_column(each.upper()) for each in letters]
        lines = [int(digits) for digits in lines] or [self.top, self.bottom]
        self._widen(min(lines), max(lines), min(columns), max(columns))

    def _feed_tags(self, data):
        for match in TAG.finditer(data):
            closing, name, attributes = match.groups()
            if closing:
                continue
            position = ATTRIBUTE_R.search(attributes)
            if name == b"row":
                self.row = int(position.group(2)) if position and position.group(2) else self.row + 1
                self.column = 0
                continue
            if position and position.group(1):
                self.column = _column(position.group(1).upper())
                self.row = int(position.group(2) or self.row)
            else:
                self.column += 1
            # A cell with a value has content after it (<c …>…</c>); an empty one is <c …/> or <c …></c>.
            if not attributes.endswith(b"/") and not data.startswith(b"</", match.end()):
                self.cells += 1
                self._widen(self.row, self.row, self.column, self.column)

    def _widen(self, top, bottom, left, right):
        self.top, self.bottom = min(self.top, top), max(self.bottom, bottom)
        self.left, self.right = min(self.left, left), max(self.right, right)

    def extent(self):
        if not self.cells:
            return None
        return self.bottom - self.top + 1, self.right - self.left + 1, self.cells


def _column(letters):
    number = 0
    for letter in letters:
        number = number * 26 + (letter if isinstance(letter, int) else ord(letter)) - 64
    return number


def check_loaded(name, height, width):
    """Calamine's own size of a loaded sheet, before its rows are read (an .xls is checked here only:
    its format holds at most 65,536 × 256 cells, which fits in the memory limit)."""
    _check_extent(name, (height, width, 0))


def csv_encoding(path):
    """UTF-8 when every byte decodes as UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def csv_lines(path):
    """The number of lines of a .csv, refusing a line longer than MAX_LINE and more than MAX_ROWS lines."""
    lines = length = 0  # length: the bytes of the line not yet ended
    with open(path, "rb") as file:
        # A chunk is MAX_LINE long, so only its first and last lines can be longer: they go on in the next.
        while chunk := file.read(MAX_LINE):
            first = chunk.find(b"\n")
            length += len(chunk) if first < 0 else first
            if length > MAX_LINE:
                raise Refused("line", line=lines + 1, most_kb=MAX_LINE // 1024)
            if first >= 0:
                lines += chunk.count(b"\n")
                length = len(chunk) - chunk.rfind(b"\n") - 1
    lines += 1 if length else 0
    if lines > MAX_ROWS:
        raise Refused("rows_in_file", rows=lines, most=MAX_ROWS)
    return lines


# Reading ----------------------------------------------------------------------------------------------


def _checked(batch, sheet, first_line):
    """The batch of rows, refused if a cell holds more text than Excel allows."""
    for line, row in enumerate(batch, start=first_line):
        for value in row:
            if type(value) is str and len(value) > MAX_CELL_TEXT:
                raise Refused("cell_text", sheet=sheet, line=line, most=MAX_CELL_TEXT)
    return batch


def read(path, kind, name, with_rows, send):
    if kind == "csv":
        _read_csv(path, name, with_rows, send)
    else:
        _read_excel(path, kind, with_rows, send)
    send(("end",))


def _read_csv(path, name, with_rows, send):
    height = csv_lines(path)
    send(("sheet", name, height, 1))
    if not with_rows:
        return
    csv.field_size_limit(MAX_LINE)
    with open(path, encoding=csv_encoding(path), newline="", errors="replace") as file:
        # A NUL is no character a person typed, and PostgreSQL refuses it in text.
        lines = (line.replace("\x00", "") for line in file)
        batch = []
        for line, row in enumerate(csv.reader(lines), start=1):
            if len(row) > MAX_COLUMNS:
                raise Refused("csv_columns", line=line, columns=len(row), most=MAX_COLUMNS)
            batch.append(row)
            if len(batch) == BATCH:
                send(("rows", _checked(batch, name, line - BATCH + 1)))
                batch = []
        if batch:
            send(("rows", _checked(batch, name, line - len(batch) + 1)))


def _read_excel(path, kind, with_rows, send):
    checked = CheckedWorkbook(path) if kind == "xlsx" else None
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    workbook = CalamineWorkbook.from_path(path)
    shown = [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
    ]
    if len(shown) > MAX_SHEETS:
        raise Refused("sheets", sheets=len(shown), most=MAX_SHEETS)
    rows = 0
    for name in shown:
        if checked:
            checked.check_sheet(name)
        sheet = workbook.get_sheet_by_name(name)
        check_loaded(name, sheet.height, sheet.width)
        rows += sheet.height
        if rows > MAX_ROWS:
            raise Refused("rows_in_file", rows=rows, most=MAX_ROWS)
        # Calamine's range starts at the first used cell; Excel's row numbers count from row 1.
        first = sheet.start[0] + 1 if sheet.start else 1
        send(("sheet", name, sheet.height, first))
        if with_rows:
            batch = []
            for row in sheet.iter_rows():
                batch.append(row if kind == "xlsx" else [_without_nul(value) for value in row])
                if len(batch) == BATCH:
                    send(("rows", _checked(batch, name, first)))
                    first += BATCH
                    batch = []
            if batch:
                send(("rows", _checked(batch, name, first)))
        del sheet


def _without_nul(value):
    return value.replace("\x00", "") if type(value) is str else value


class _Frames:
    """The frames written to stdout, refused past `most` bytes in all (the last word excepted)."""

    def __init__(self, out, most):
        self.out, self.most, self.sent = out, most, 0

    def send(self, frame):
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
        self.sent += len(data)
        if self.sent > self.most:
            raise Refused("sent", most_mb=self.most // 2**20)
        self.out.write(data)

    def last(self, frame):
        pickle.dump(frame, self.out, protocol=pickle.HIGHEST_PROTOCOL)


def _die_with(parent):
    """End with the process that asked for the rows: killed by Celery's time limit or gunicorn, it
    leaves nobody to read them. (Linux sends the signal when the thread that started this one ends:
    the caller reads in the thread that started it.)"""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)


def main(arguments):
    path, kind, name, mode, memory, most_sent, parent = arguments
    _die_with(int(parent))
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 5))  # SIGXCPU, then SIGKILL
    frames = _Frames(sys.stdout.buffer, int(most_sent))
    try:
        read(path, kind, name, mode == "rows", frames.send)
    except Refused as refusal:
        frames.last(("refused", refusal.reason, refusal.numbers))
    except MemoryError:
        frames.last(("refused", "memory", {"mb": int(memory) // 2**20}))
    except (Unreadable, zipfile.BadZipFile, csv.Error, OSError, UnicodeError, ValueError) as error:
        frames.last(("unreadable", str(error)))
    except Exception as error:  # calamine's errors, and its panics (a BaseException) below
        frames.last(("unreadable", f"{type(error).__name__}: {error}"))
    except BaseException as error:
        if isinstance(error, (SystemExit, KeyboardInterrupt)):
            raise
        frames.last(("unreadable", f"{type(error).__name__}: {error}"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BrokenPipeError:  # the reader stopped listening: nothing more to say
        sys.stderr.close()
    sys.exit(0)
