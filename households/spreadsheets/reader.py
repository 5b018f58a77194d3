"""A committee's spreadsheet → rows the register can take, and the reasons for the rows it cannot.

Finds the header row under any title rows, maps each column from the common Chinese and English
names (or the admin's own choice) and normalises every cell. No row is lost over a value: a word it
does not understand, or a phone or date it cannot read, is kept in the resident's notes and listed,
and the row is imported with the rest. A row is rejected, with every one of its problems, only when
it cannot be a resident (no name, no room) or would write something false (an ID number a
spreadsheet rounded, a birth date the ID number contradicts). The same person on several rows is
found before anything else is judged, and held back until the admin keeps one. Touches no
database and imports no model (tests/households/spreadsheets/test_reader_purity.py): the comparison
with the register and the writing are in plans.py.
"""

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from households import rooms
from households.choices import DocumentType, Tag
from households.residents import RESIDENT_FIELDS, is_80_plus
from households.vocabulary import ALIASES, FIELDS, MERGED, REQUIRED, column_field, header_key
from households.words import WORD_FIELDS, TagDetail, Vocabulary
from lockdown.core import cells
from lockdown.core.bounds import TEXT_MAX
from lockdown.core.cells import CellError, RoundedNumber
from lockdown.core.spreadsheets import cell_text, read_sheets
from lockdown.core.text import clean_row

from .duplicates import People

HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY = 2000

SUBTOTAL = re.compile(r"合计|小计|总计|共计")
# What people write in a cell that has nothing to say: an empty cell. (Words like 无 mean "none" in a
# word column, where the words module reads them; in an ID or phone column they only mean "blank".)
BLANK_WORDS_MEAN_EMPTY = {"id_number", "phone", "birth_date"}
BLANKS = {"无", "暂无", "没有", "不详", "未知", "-", "/", "—", "--", "——", "\\", "none", "null", "N/A", "n/a"}
KEPT_VALUES = ("phone", "birth_date")  # a cell of these that cannot be read is kept in the notes


def field_label(name):
    return str(FIELDS[name][0])


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One resident as the file gives it; None where the file says nothing (leave the register as it is)."""

    sheet: str
    line: int
    compound: str
    building: str
    unit: str
    room: str
    name: str
    sex: str | None = None
    document_type: str | None = None
    id_number: str | None = None
    birth_date: datetime.date | None = None
    phone: str | None = None
    relation: str | None = None
    presence: str | None = None
    party_member: bool | None = None
    notes: str | None = None  # the notes column's
    # What the importer keeps in the notes besides: words not understood, cells it could not read,
    # other phone numbers ("column：text"). Added to the notes the resident has, never replacing them.
    remarks: tuple[str, ...] = ()
    tags: dict | None = None  # {tag: words.TagDetail}

    def notes_with_remarks(self, notes):
        """`notes` (the register's, or None for a new resident) as this row leaves them."""
        notes = self.notes if self.notes is not None else (notes or "")
        missing = [remark for remark in self.remarks if remark not in notes]
        return "；".join(filter(None, [notes, *missing]))

    @property
    def household_key(self):
        return (self.compound, self.building, self.unit, self.room)


# The resident's fields a file may state, each an ImportRow attribute compared with the register
# (plans.py): all of them, presence too (a committee's table says who is away), unlike the form,
# which leaves presence to its own button.
RESIDENT_IMPORT_FIELDS = RESIDENT_FIELDS


@dataclass(frozen=True)
class RowError:
    sheet: str
    line: int
    column: str
    message: str


@dataclass(frozen=True)
class SheetReading:
    name: str
    header_line: int | None  # None: no header row found, the sheet was skipped
    headers: list[str]  # the header row's cells as written
    building: str  # the building the sheet's name gives, if any
    titles: tuple[str, ...] = ()  # the text of the rows above the header


@dataclass
class Reading:
    # The day the file was read as of: its dates, its ID numbers' birth dates and who is 80+ are
    # judged by it, here and in the comparison with the register and the writes (plans.py).
    today: datetime.date
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheets: list[SheetReading] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header key → field ("" for not read)
    problems: list[str] = field(default_factory=list)  # mapping problems: nothing can be imported until fixed
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → field → header as written
    lines_read: int = 0
    skipped_lines: int = 0
    # (field, phrase) → rows: the words not understood, each kept in its residents' notes
    unknown: Counter = field(default_factory=Counter)
    explained: Counter = field(default_factory=Counter)  # (field, phrase) → rows understood by the admin's meaning
    kept: list[RowError] = field(default_factory=list)  # cells that could not be read, kept in the notes
    duplicates: list = field(default_factory=list)  # duplicates.Duplicate: rows held back
    resolved: list = field(default_factory=list)  # duplicates.Duplicate: the admin kept one of the rows
    left_out: int = 0  # rows left out because the admin kept another row of the same person
    rounded_ids: int = 0  # rows whose ID number a spreadsheet rounded
    without_id: int = 0  # of those, rows imported without it, as the admin chose
    compound_named: str = ""  # the compound the file's title rows or sheet names name, if one

    def header_of(self, sheet, name):
        return self.headers.get(sheet, {}).get(name) or field_label(name)

    def column_of(self, name):
        """The header the file gives a field (its first sheet's that has it)."""
        return next((headers[name] for headers in self.headers.values() if name in headers), field_label(name))


@dataclass(frozen=True)
class Choices:
    """What the admin decided on the preview, for one import."""

    columns: dict = field(default_factory=dict)  # header key → field ("" for not read)
    words: dict = field(default_factory=dict)  # field → {phrase: meaning}
    keep: dict = field(default_factory=dict)  # duplicate key → the index of the row to keep
    without_rounded_ids: bool = False  # import rows whose ID number was rounded, without it


def find_header(rows, overrides):
    """(line, cells) of the header row among the first rows, or None: the row naming the most fields."""
    best, best_count = None, 1
    for line, row in rows:
        fields = {column_field(header_key(cell), overrides) for cell in row} - {""}
        if len(fields) > best_count and "name" in fields:
            best, best_count = (line, row), len(fields)
        if line >= HEADER_SEARCH_ROWS:
            break
    return best


def read_register(
    path: Path,
    *,
    community_name: str,
    choices: Choices | None = None,
    on_progress: Callable[[int], None] | None = None,
    today: datetime.date | None = None,
    csv_sheet_name: str | None = None,
) -> Reading:
    """Read every sheet of the file into ImportRows, RowErrors and duplicates, in one streaming pass."""
    choices = choices or Choices()
    reading = Reading(today=today or timezone.localdate())
    context = _Context(
        community_name=cells.name(community_name),
        today=reading.today,
        vocabulary=Vocabulary(choices.words),
        without_rounded_ids=choices.without_rounded_ids,
        people=People(),
    )
    for sheet in read_sheets(path, csv_name=csv_sheet_name):
        _read_sheet(sheet, choices.columns, reading, context, on_progress)
    if not any(s.header_line for s in reading.sheets):
        reading.problems.append(
            _(
                "No column of names (姓名) was found in the first %(rows)s rows of any sheet. If the names are "
                "under another heading, choose its field below."
            )
            % {"rows": HEADER_SEARCH_ROWS}
        )
    if reading.problems:
        reading.rows, reading.errors, reading.kept, reading.unknown = [], [], [], Counter()
        return reading
    context.people.hold_back(reading, choices.keep)
    reading.compound_named = rooms.compound_named(reading.sheets, community_name)
    return reading


@dataclass(frozen=True)
class _Context:
    community_name: str
    today: datetime.date
    vocabulary: Vocabulary
    without_rounded_ids: bool
    people: People


def _read_sheet(sheet, overrides, reading, context, on_progress):
    rows = iter(sheet.rows)
    head = []  # rows above and including the header are kept to be counted
    header = find_header(_remember(rows, head), overrides)
    sheet_building = rooms.building_in_name(sheet.name)
    if header is None:
        # Offer the sheet's first full row as its header, so the admin can say what its columns are.
        candidate = next((row for _line, row in head if sum(1 for cell in row if cells.text(cell)) >= 2), [])
        headers = [cell_text(cell).strip() for cell in candidate]
        for written in headers:
            if header_key(written):
                reading.columns.setdefault(header_key(written), column_field(header_key(written), overrides))
        reading.sheets.append(SheetReading(sheet.name, None, headers, sheet_building))
        reading.lines_read += len(head) + sum(1 for _row in rows)
        return
    header_line, header_cells = header
    headers = [cell_text(cell).strip() for cell in header_cells]
    titles = tuple(_row_text(row) for line, row in head if line < header_line and _row_text(row))
    reading.sheets.append(SheetReading(sheet.name, header_line, headers, sheet_building, titles))
    plan = _column_plan(sheet.name, headers, overrides, reading, sheet_building)
    if plan is None:
        return
    # The rows between the header and the end of the search were read already; then the rest.
    body = [(line, row) for line, row in head if line > header_line]
    reading.lines_read += len(head) - len(body)
    for source in (body, rows):
        for line, row in source:
            reading.lines_read += 1
            _read_row(sheet.name, line, row, plan, reading, context)
            if on_progress and reading.lines_read % PROGRESS_EVERY == 0:
                on_progress(reading.lines_read)


def _row_text(row):
    return " ".join(text for cell in row if (text := cells.text(cell)))


def _remember(rows, kept):
    for item in rows:
        kept.append(item)
        yield item


@dataclass(frozen=True)
class _Plan:
    columns: list[tuple[int, str, str]]  # (index, field, header as written)
    sheet_building: str
    headers: dict[str, str]  # field → its (first) header as written
    name_index: int
    name_key: str  # the name column's header_key, to notice the header repeated on a printed page

    def header_of(self, name):
        return self.headers.get(name) or field_label(name)


def _column_plan(sheet_name, headers, overrides, reading, sheet_building):
    columns, seen = [], defaultdict(list)
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        name = column_field(key, overrides)
        reading.columns.setdefault(key, name)
        if name:
            columns.append((index, name, header))
            seen[name].append(header)
    problems = []
    for name, headers_of_field in seen.items():
        if len(headers_of_field) > 1 and name not in MERGED:
            problems.append(
                _("Sheet %(sheet)s: the columns %(columns)s are all read as %(field)s; choose one.")
                % {"sheet": sheet_name, "columns": "、".join(headers_of_field), "field": field_label(name)}
            )
    for name in REQUIRED:
        if name not in seen:
            problems.append(
                _("Sheet %(sheet)s has no column for %(field)s.") % {"sheet": sheet_name, "field": field_label(name)}
            )
    if problems:
        reading.problems.extend(problems)
        return None
    name_index = next(index for index, name, _header in columns if name == "name")
    headers_by_field = {name: written[0] for name, written in seen.items()}
    plan = _Plan(columns, sheet_building, headers_by_field, name_index, header_key(headers_by_field["name"]))
    reading.headers[sheet_name] = plan.headers
    return plan


@dataclass(slots=True)
class _Cells:
    """One line's cells as they are read: the values, the problems, and what goes to the notes."""

    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    kept: list = field(default_factory=list)  # RowErrors of cells kept in the notes
    remarks: list = field(default_factory=list)  # ImportRow.remarks: "column：text" of cells not understood
    unknown: list = field(default_factory=list)  # (field, phrase)
    explained: list = field(default_factory=list)  # (field, phrase) understood by the admin's meaning
    id_text: str = ""  # the ID number as written, to find the same person twice
    rounded_id: bool = False


def _read_row(sheet, line, row, plan, reading, context):
    row = clean_row(row)  # invisible characters out, before anything reads a cell
    width = len(row)
    if plan.name_index < width and header_key(row[plan.name_index]) == plan.name_key:
        reading.skipped_lines += 1  # the header repeated on a printed page
        return
    found = _Cells()
    for index, name, header in plan.columns:
        raw = row[index] if index < width else ""
        if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
            continue
        if name in BLANK_WORDS_MEAN_EMPTY and isinstance(raw, str) and raw.strip() in BLANKS:
            continue
        if name in WORD_FIELDS:
            # Most cells are a plain known word, and a street repeats few: each is understood once.
            value = context.vocabulary.plain[name].get(raw)
            if value is not None:
                found.values[name] = value
            else:
                _read_words(name, raw, header, found, context.vocabulary.understand(name, raw))
            continue
        try:
            value = PARSERS[name](raw, context)
        except CellError as error:
            if name in KEPT_VALUES:
                found.kept.append(RowError(sheet, line, header, error.message))
                found.remarks.append(_remark(header, raw))
            else:
                found.errors.append(RowError(sheet, line, header, error.message))
            continue
        if name == "notes" and ALIASES.get(header_key(header)) != "notes":
            value = f"{header}：{value}"  # a column the admin chose to keep in the notes says what it was
        if name in MERGED and name in found.values:
            value = _merge(name, found.values[name], value)
        found.values[name] = value
    values = found.values
    if not found.errors and not found.remarks and (not values or _is_subtotal_or_header(values, row, plan)):
        reading.skipped_lines += 1
        return
    if "name" not in values:
        found.errors.append(RowError(sheet, line, plan.headers["name"], _("The name is empty.")))
    built, place = None, None
    try:
        place = _place(values, plan.sheet_building)
    except _ColumnError as error:
        found.errors.append(RowError(sheet, line, plan.header_of(error.field), error.message))
    for error in _cross_check(values, found, context):
        found.errors.append(RowError(sheet, line, plan.header_of(error.field), error.message))
    if not found.errors and place is not None:
        built = _row(sheet, line, values, found, place, context)
    context.people.add(sheet, line, values.get("name", ""), place, found, built, reading)


def _read_words(name, raw, header, found, understood):
    if understood.value is not None:
        found.values[name] = understood.value
    if understood.unknown or understood.detail:
        found.remarks.append(_remark(header, raw))
        found.unknown.extend((name, phrase) for phrase in understood.unknown)
    if understood.explained:
        found.explained.extend((name, phrase) for phrase in understood.explained)


def _as_written(raw):
    """A cell's text as the person wrote it (full-width brackets and all), for the notes."""
    return cell_text(raw).strip()


def _remark(header, raw):
    """What the notes keep of a cell not (wholly) understood: 在住情况：常住外地."""
    return f"{header}：{_as_written(raw)}"


def _id_as_written(raw):
    """An ID number's cell without spaces, upper case: to find the same number twice."""
    return re.sub(r"\s", "", cells.text(raw)).upper()


def _is_subtotal_or_header(values, row, plan):
    name = values.get("name", "")
    if name and not SUBTOTAL.search(name):
        return False
    return any(isinstance(cell, str) and SUBTOTAL.search(cell) for cell in row)


def _merge(name, earlier, later):
    if name == "phone":
        return (earlier[0] + later[0], earlier[1] + later[1])
    return f"{earlier}；{later}"


class _ColumnError(CellError):
    """A problem across a row's cells, reported against the column of `field`."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def _cross_check(values, found, context):
    """Every problem across the row's cells, as _ColumnErrors; settles the ID number in `values`."""
    problems = []
    if "community" in values and values["community"] != context.community_name:
        problems.append(
            _ColumnError(
                "community",
                _("This row belongs to %(area)s, not to the community being imported.") % {"area": values["community"]},
            )
        )
    document_type = values.get("document_type")
    raw_id = values.pop("id_number", None)
    if raw_id is None:
        pass
    elif document_type in (None, DocumentType.MAINLAND_ID):
        try:
            info = cells.mainland_id(raw_id, today=context.today)
        except RoundedNumber as error:
            found.rounded_id = True
            if not context.without_rounded_ids:
                problems.append(_ColumnError("id_number", error.message))
        except CellError as error:
            found.id_text = _id_as_written(raw_id)
            problems.append(_ColumnError("id_number", error.message))
        else:
            found.id_text = info.number
            problems += _agrees_with_id(values, info)
            values |= {"id_number": info.number, "birth_date": info.birth_date, "sex": info.sex}
    else:
        values["id_number"] = found.id_text = _id_as_written(raw_id)[:30]
    tags, birth_date = values.get("tags"), values.get("birth_date")
    if tags and Tag.AGED_80 in tags and birth_date is not None and not is_80_plus(birth_date, context.today):
        problems.append(
            _ColumnError("tags", _("80+ does not fit the birth date %(date)s.") % {"date": birth_date.isoformat()})
        )
    return problems


def _agrees_with_id(values, info):
    problems = []
    birth_date, sex = values.get("birth_date"), values.get("sex")
    if birth_date and birth_date != info.birth_date:
        problems.append(
            _ColumnError(
                "birth_date",
                _("The birth date %(date)s does not match the ID number (%(id_date)s).")
                % {"date": birth_date.isoformat(), "id_date": info.birth_date.isoformat()},
            )
        )
    if sex and sex != info.sex:
        problems.append(_ColumnError("sex", _("The sex does not match the ID number.")))
    return problems


def _row(sheet, line, values, found, place, context):
    """Combine a row's checked cells into an ImportRow."""
    building, unit, room = place
    notes = values.get("notes")
    phone = None
    if "phone" in values:
        mobiles, others = values["phone"]
        phone = mobiles[0] if mobiles else None
        extra = mobiles[1:] + others
        if extra:
            found.remarks.append(_("Other phones: %(numbers)s") % {"numbers": "、".join(extra)})
    tags, birth_date = values.get("tags"), values.get("birth_date")
    if tags is not None and birth_date is not None and is_80_plus(birth_date, context.today):
        tags = tags | {Tag.AGED_80: tags.get(Tag.AGED_80, TagDetail())}
    return ImportRow(
        sheet=sheet,
        line=line,
        compound=values.get("compound", ""),
        building=building,
        unit=unit,
        room=room,
        name=values["name"],
        sex=values.get("sex"),
        document_type=values.get("document_type"),
        id_number=values.get("id_number"),
        birth_date=birth_date,
        phone=phone,
        relation=values.get("relation"),
        presence=values.get("presence"),
        party_member=values.get("party_member"),
        notes=notes,
        remarks=tuple(found.remarks),
        tags=tags,
    )


def _place(values, sheet_building):
    """(building, unit, room) from the building, unit and room cells, or a room written whole."""
    building = values.get("building") or sheet_building
    unit = values.get("unit", "")
    raw = values.get("room", "")
    if not raw:
        raise _ColumnError("room", _("The room is empty."))
    found = rooms.split_room(raw, has_building=bool(building))
    if found is None:
        raise _ColumnError("room", _("%(value)s is not a room: write it as 501, 3-501 or 12-3-501.") % {"value": raw})
    in_building, in_unit, room = found
    if in_building and building and in_building != building:
        raise _ColumnError(
            "room",
            _("The room %(value)s is in building %(in_room)s, but the row's building is %(building)s.")
            % {"value": raw, "in_room": in_building, "building": building},
        )
    if in_unit and unit and in_unit != unit:
        raise _ColumnError(
            "room",
            _("The room %(value)s is in unit %(in_room)s, but the row's unit is %(unit)s.")
            % {"value": raw, "in_room": in_unit, "unit": unit},
        )
    building, unit = building or in_building, unit or in_unit
    if not building:
        raise _ColumnError(
            "room", _("No building for room %(value)s: add a 楼号 column or write 12-3-501.") % {"value": raw}
        )
    if len(building) > 20 or len(unit) > 10 or len(room) > 10:
        raise _ColumnError("room", _("%(value)s is too long for a room.") % {"value": raw})
    return building, unit, room


# Cell parsers: raw cell value → clean value, or CellError -------------------------------------------


PARSERS = {
    "community": lambda raw, _context: cells.name(raw),
    "compound": lambda raw, _context: cells.name(raw),
    "building": lambda raw, _context: rooms.building_number(raw),
    "unit": lambda raw, _context: rooms.unit_number(raw),
    "room": lambda raw, _context: cells.text(raw),
    "name": lambda raw, _context: cells.name(raw)[:50],
    "id_number": lambda raw, _context: raw,  # checked with the document type, in _cross_check
    "birth_date": lambda raw, context: cells.date(raw, today=context.today),
    "phone": lambda raw, _context: cells.mobiles(raw),
    "notes": lambda raw, _context: _note(raw),
}


def _note(raw):
    note = _as_written(raw)
    if len(note) > TEXT_MAX:
        raise CellError(
            _(
                "This note is %(length)s characters long: at most %(max)s are kept. "
                "Shorten it and upload the file again."
            )
            % {"length": len(note), "max": TEXT_MAX}
        )
    return note
