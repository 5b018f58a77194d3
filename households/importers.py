"""A committee's spreadsheet → rows the register can take, and the reasons for the rows it cannot.

Finds the header row under any title rows, maps each column from the common Chinese and English
names (or the admin's own choice), normalises every cell and rejects, with its row, column and
reason, every row that cannot be read, including the same person twice. Touches no database: the
comparison with the register and the writing are in households/imports.py.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lockdown.core import cells
from lockdown.core.cells import CellError
from lockdown.core.spreadsheets import cell_text, read_sheets

from .models import DocumentType, Relation, Tag
from .services import is_80_plus
from .vocabulary import (
    ALIASES,
    CONDITION_WORDS,
    DOCUMENT_BY_WORD,
    FIELDS,
    MERGED,
    NOTHING,
    PARTY_BY_WORD,
    PRESENCE_BY_WORD,
    RELATION_BY_WORD,
    REQUIRED,
    SEX_BY_WORD,
    TAGS_BY_WORD,
)

HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY = 2000

HEADER_NOISE = re.compile(r"[\s*:：]|[(（][^)）]*[)）]")
BUILDING = re.compile(r"^([0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:号楼|幢|栋|号|座|楼)?$")
BUILDING_IN_NAME = re.compile(r"([0-9A-Za-z]+)(?:号楼|幢|栋|号|座|楼)")
UNIT = re.compile(r"^([0-9A-Za-z]+)(?:单元)?$")
ROOM_WORDS = re.compile(
    r"^(?:(?P<building>[0-9A-Za-z]+)(?:号楼|幢|栋|号|座|楼))?(?:(?P<unit>[0-9A-Za-z]+)单元)?(?P<room>[0-9A-Za-z]+)(?:室|号)?$"
)
ROOM_DASHES = re.compile(r"^[0-9A-Za-z]+(?:-[0-9A-Za-z]+){0,2}$")
SUBTOTAL = re.compile(r"合计|小计|总计|共计")
WORD_SPLIT = re.compile(r"[、,，;；/\s]+")


def header_key(text):
    """The comparable form of a column's name: "身份证号码（必填）*" → "身份证号码"."""
    return HEADER_NOISE.sub("", cells.text(text)).lower()


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
    notes: str | None = None
    tags: dict | None = None  # {tag: condition}

    @property
    def household_key(self):
        return (self.compound, self.building, self.unit, self.room)


RESIDENT_FIELDS = (
    "name",
    "sex",
    "document_type",
    "id_number",
    "birth_date",
    "phone",
    "relation",
    "presence",
    "party_member",
    "notes",
)


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


@dataclass
class Reading:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheets: list[SheetReading] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header key → field ("" for not read)
    problems: list[str] = field(default_factory=list)  # mapping problems: nothing can be imported until fixed
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → field → header as written
    lines_read: int = 0
    skipped_lines: int = 0

    def header_of(self, sheet, name):
        return self.headers.get(sheet, {}).get(name) or field_label(name)


def column_field(key, overrides):
    """The field a column feeds: the admin's choice first, else its usual name; "" if none."""
    if key in overrides:
        return overrides[key]
    return ALIASES.get(key, "")


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
    overrides: dict[str, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
    today: datetime.date | None = None,
) -> Reading:
    """Read every sheet of the file into ImportRows and RowErrors, in one streaming pass."""
    overrides = overrides or {}
    reading = Reading()
    context = _Context(community_name=cells.name(community_name), today=today or timezone.localdate())
    for sheet in read_sheets(path):
        _read_sheet(sheet, overrides, reading, context, on_progress)
    if not any(s.header_line for s in reading.sheets):
        reading.problems.append(
            _("No header row was found: the first %(rows)s rows of each sheet were searched for 姓名 and 室号.")
            % {"rows": HEADER_SEARCH_ROWS}
        )
    if reading.problems:
        reading.rows, reading.errors = [], []
        return reading
    _reject_duplicates(reading)
    return reading


@dataclass(frozen=True)
class _Context:
    community_name: str
    today: datetime.date


def _read_sheet(sheet, overrides, reading, context, on_progress):
    rows = iter(sheet.rows)
    head = []  # rows above and including the header are kept to be counted
    header = find_header(_remember(rows, head), overrides)
    building_match = BUILDING_IN_NAME.search(cells.text(sheet.name))
    sheet_building = building_match.group(1) if building_match else ""
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
    reading.sheets.append(SheetReading(sheet.name, header_line, headers, sheet_building))
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


def _read_row(sheet, line, row, plan, reading, context):
    values, errors = {}, []
    width = len(row)
    if plan.name_index < width and header_key(row[plan.name_index]) == plan.name_key:
        reading.skipped_lines += 1  # the header repeated on a printed page
        return
    for index, name, header in plan.columns:
        raw = row[index] if index < width else ""
        if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            value = PARSERS[name](raw, context)
        except CellError as error:
            errors.append(RowError(sheet, line, header, error.message))
            continue
        if name in MERGED and name in values:
            value = _merge(name, values[name], value)
        values[name] = value
    if not errors and (not values or _is_subtotal_or_header(values, row, plan)):
        reading.skipped_lines += 1
        return
    if "name" not in values:
        errors.append(RowError(sheet, line, plan.headers["name"], _("The name is empty.")))
    if not errors:
        try:
            reading.rows.append(_row(sheet, line, values, plan, context))
            return
        except _ColumnError as error:
            errors.append(RowError(sheet, line, plan.header_of(error.field), error.message))
    reading.errors.extend(errors)


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


def _row(sheet, line, values, plan, context):
    """Combine a row's cells into an ImportRow; a problem across cells raises _ColumnError."""
    if "community" in values and values["community"] != context.community_name:
        raise _ColumnError(
            "community",
            _("This row belongs to %(area)s, not to the community being imported.") % {"area": values["community"]},
        )
    building, unit, room = _place(values, plan.sheet_building)
    notes = values.get("notes")
    phone = None
    if "phone" in values:
        mobiles, others = values["phone"]
        phone = mobiles[0] if mobiles else None
        extra = mobiles[1:] + others
        if extra:
            notes = "；".join(filter(None, [notes, _("Other phones: %(numbers)s") % {"numbers": "、".join(extra)}]))
    document_type = values.get("document_type")
    id_number, birth_date, sex = values.get("id_number"), values.get("birth_date"), values.get("sex")
    if id_number is not None and document_type in (None, DocumentType.MAINLAND_ID):
        try:
            info = cells.mainland_id(id_number, today=context.today)
        except CellError as error:
            raise _ColumnError("id_number", error.message) from None
        if birth_date and birth_date != info.birth_date:
            raise _ColumnError(
                "birth_date",
                _("The birth date %(date)s does not match the ID number (%(id_date)s).")
                % {"date": birth_date.isoformat(), "id_date": info.birth_date.isoformat()},
            )
        if sex and sex != info.sex:
            raise _ColumnError("sex", _("The sex does not match the ID number."))
        id_number, birth_date, sex = info.number, info.birth_date, info.sex
    elif id_number is not None:
        id_number = re.sub(r"\s", "", cells.text(id_number)).upper()[:30]
    tags = values.get("tags")
    if tags is not None and birth_date is not None and (Tag.AGED_80 in tags) != is_80_plus(birth_date, context.today):
        if Tag.AGED_80 in tags:
            raise _ColumnError(
                "tags",
                _("80+ does not fit the birth date %(date)s.") % {"date": birth_date.isoformat()},
            )
        tags = tags | {Tag.AGED_80: ""}
    return ImportRow(
        sheet=sheet,
        line=line,
        compound=values.get("compound", ""),
        building=building,
        unit=unit,
        room=room,
        name=values["name"],
        sex=sex,
        document_type=document_type,
        id_number=id_number,
        birth_date=birth_date,
        phone=phone,
        relation=values.get("relation"),
        presence=values.get("presence"),
        party_member=values.get("party_member"),
        notes=notes,
        tags=tags,
    )


def _place(values, sheet_building):
    """(building, unit, room) from the building, unit and room cells, or a room written whole."""
    building = values.get("building") or sheet_building
    unit = values.get("unit", "")
    raw = values.get("room", "")
    found = _split_room(raw, has_building=bool(building))
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


def _split_room(raw, *, has_building):
    text = raw.replace(" ", "").replace("—", "-").replace("_", "-").replace("/", "-")
    match = ROOM_WORDS.match(text)
    if match:
        return match.group("building") or "", match.group("unit") or "", match.group("room")
    if not ROOM_DASHES.match(text):
        return None
    parts = text.split("-")
    if len(parts) == 3:
        return tuple(parts)
    if has_building:
        return "", parts[0], parts[1]
    return parts[0], "", parts[1]


# Cell parsers: raw cell value → clean value, or CellError -------------------------------------------


def _words(lookup, what, default=None):
    """A parser of a column of words from a small vocabulary, remembering each spelling it has met."""
    seen = dict(lookup)

    def parse(raw, _context):
        if raw in seen:
            return seen[raw]
        word = header_key(raw)
        if word in lookup:
            seen[raw] = lookup[word]
        elif default is not None:
            seen[raw] = default
        else:
            raise CellError(_("%(value)s is not a known %(what)s.") % {"value": cells.text(raw), "what": what})
        return seen[raw]

    return parse


def _tags(raw, _context):
    tags, conditions = {}, []
    for word in WORD_SPLIT.split(cells.text(raw)):
        key = word.lower()
        if key in NOTHING:
            continue
        if key in CONDITION_WORDS:
            conditions.append(word)
        elif key in TAGS_BY_WORD:
            tags[TAGS_BY_WORD[key]] = ""
        else:
            raise CellError(
                _(
                    "%(value)s is not a key-population word: use 独居老人, 80岁以上, 慢性病 (or the illness), "
                    "孕妇, 婴儿, 残疾, 上门服务 or 困难户, and put anything else in 备注."
                )
                % {"value": word}
            )
    if conditions:
        tags[Tag.CHRONIC] = "、".join(conditions)
    return tags


def _community(raw, _context):
    return cells.name(raw)


def _building(raw, _context):
    text = cells.text(raw).replace(" ", "")
    match = BUILDING.match(text)
    return match.group(1) if match else text


def _unit(raw, _context):
    text = cells.text(raw).replace(" ", "")
    match = UNIT.match(text)
    return match.group(1) if match else text


def _id_number(raw, _context):
    return raw  # checked with the document type, in _row


def _birth_date(raw, context):
    return cells.date(raw, today=context.today)


PARSERS = {
    "community": _community,
    "compound": lambda raw, _context: cells.name(raw),
    "building": _building,
    "unit": _unit,
    "room": lambda raw, _context: cells.text(raw),
    "name": lambda raw, _context: cells.name(raw)[:50],
    "sex": _words(SEX_BY_WORD, gettext_lazy("sex")),
    "document_type": _words(DOCUMENT_BY_WORD, gettext_lazy("document type")),
    "id_number": _id_number,
    "birth_date": _birth_date,
    "phone": lambda raw, _context: cells.mobiles(raw),
    "relation": _words(RELATION_BY_WORD, gettext_lazy("relation"), default=Relation.OTHER),
    "presence": _words(PRESENCE_BY_WORD, gettext_lazy("presence")),
    "tags": _tags,
    "party_member": _words(PARTY_BY_WORD, gettext_lazy("party membership")),
    "notes": lambda raw, _context: cells.text(raw),
}


# Duplicates ------------------------------------------------------------------------------------------


def _reject_duplicates(reading):
    """Reject every row that gives the same person as another row, each naming the others."""
    by_id, by_household_name = defaultdict(list), defaultdict(list)
    for row in reading.rows:
        if row.id_number:
            by_id[row.document_type or DocumentType.MAINLAND_ID, row.id_number].append(row)
        by_household_name[row.household_key, row.name].append(row)
    rejected = {}

    def reject(group, column, message):
        for row in group:
            text = message % {"name": row.name, "rows": _rows_named(group, row)}
            rejected.setdefault(
                (row.sheet, row.line), RowError(row.sheet, row.line, reading.header_of(row.sheet, column), text)
            )

    for group in by_id.values():
        if len(group) > 1:
            reject(group, "id_number", _("The same ID number is also in %(rows)s: keep one of these rows."))
    for group in by_household_name.values():
        # Namesakes in one household are two people only when both carry their own ID number.
        if len(group) > 1 and any(not row.id_number for row in group):
            reject(group, "name", _("%(name)s of this room is also in %(rows)s: keep one of these rows."))
    if rejected:
        reading.rows = [row for row in reading.rows if (row.sheet, row.line) not in rejected]
        reading.errors.extend(rejected.values())


def _rows_named(group, this):
    named = []
    for row in group:
        if row is this:
            continue
        if row.sheet == this.sheet:
            named.append(_("row %(line)s") % {"line": row.line})
        else:
            named.append(_("row %(line)s of sheet %(sheet)s") % {"line": row.line, "sheet": row.sheet})
    return "、".join(named)
