"""Tables the street office and the buildings ask for, from the register: 住户信息表, 重点人群表 and
一楼一表, as .xlsx (written in streaming mode) or CSV.

Each export holds only the caller's areas, and each field as the caller's role over that building
reads it (scoping.FIELDS): ID and phone numbers in full where it may reveal them, masked where it
may only read them, a leader's birth dates as year and month, notes and tags' details where it may
read them; a volunteer's hold rooms, names, tags and presence only. Every export is audited. The
household table uses the importer's column names and words, so that it can be imported again.
"""

import datetime
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import AuditEvent, Building, Presence, Relation, Resident, ResidentTag, Sex, Tag
from households.scoping import FIELDS, AreaScope, Permissions
from households.vocabulary import PARTY_WORDS, chinese_words, first_words
from lockdown.core.errors import ServiceError
from lockdown.core.spreadsheets import Column, SheetSpec, write_csv, write_table

CHUNK = 2000
ROSTER_DAYS = 7
PARTY = first_words(PARTY_WORDS)


def _word(choices, value):
    """The word the Chinese pages show for a choice (the tables are Chinese, as the street office
    keeps them, whatever the asker's language): the import reads it back."""
    return chinese_words(choices).get(value, "") if value else ""


@dataclass(frozen=True)
class Kind:
    title: str  # the table's name as the street office calls it
    label: object


KINDS = {
    "households": Kind("住户信息表", gettext_lazy("Household table")),
    "key_population": Kind("重点人群表", gettext_lazy("Key-population table")),
    "roster": Kind("一楼一表", gettext_lazy("Building roster for printing")),
}
FORMATS = ("xlsx", "csv")

HOUSEHOLD_COLUMNS = [
    Column("小区", 10),
    Column("楼号", 6),
    Column("单元", 6),
    Column("室号", 8),
    Column("姓名", 10),
    Column("性别", 5),
    Column("出生日期", 12),
    Column("身份证号", 21),
    Column("联系电话", 13),
    Column("与户主关系", 10),
    Column("在住情况", 9),
    Column("重点人群", 18),
    Column("政治面貌", 8),
    Column("备注", 24),
]
KEY_POPULATION_COLUMNS = [
    Column("类别", 10),
    Column("小区", 10),
    Column("楼号", 6),
    Column("单元", 6),
    Column("室号", 8),
    Column("姓名", 10),
    Column("性别", 5),
    Column("年龄", 5),
    Column("联系电话", 13),
    Column("在住情况", 9),
    Column("病情", 12),
    Column("常用药", 16),
    Column("预产期", 11),
    Column("说明", 20),
]
ROSTER_COLUMNS = [
    Column("单元", 5),
    Column("室号", 7),
    Column("姓名", 10),
    Column("性别", 5),
    Column("年龄", 5),
    Column("联系电话", 13),
    Column("重点人群", 16),
]
# What each export reads of a resident, by a short name; R.<name> is its position in a row.
RESIDENT_VALUES = {
    "id": "id",
    "building_id": "building_id",
    "compound": "building__compound__name",
    "number": "building__number",
    "unit": "household__unit",
    "room": "household__room",
    "name": "name",
    "sex": "sex",
    "birth_date": "birth_date",
    "id_number": "id_number",
    "phone": "phone",
    "relation": "relation",
    "presence": "presence",
    "party_member": "party_member",
    "notes": "notes",
}
R = SimpleNamespace(**{name: position for position, name in enumerate(RESIDENT_VALUES)})


def export_check(*, scope: AreaScope, kind: str, fmt: str) -> None:
    """Refuse an export that cannot be written, before any work is scheduled."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ServiceError(_("Unknown export."))
    if scope.is_empty:
        raise ServiceError(_("Your account has no areas to export."))


def export_file_name(kind: str, fmt: str, building: Building | None, today: datetime.date) -> str:
    title = KINDS[kind].title
    if building is not None:
        title = f"{building.compound}{building.number}号楼-{title}"
    return f"{title}-{today:%Y%m%d}.{fmt}"


def export_write(
    *, actor, kind: str, fmt: str, target, building: Building | None = None, ip_address=None, on_progress=None
) -> int:
    """Write one export of the caller's areas to `target` (a binary file); audit it; return its rows.

    `on_progress(written, total)` hears how far it is, every few thousand rows."""
    scope = AreaScope.for_user(actor)
    export_check(scope=scope, kind=kind, fmt=fmt)
    residents = scope.filter(Resident.objects.current())
    if building is not None:
        residents = residents.filter(building=building)
    permissions = scope.permissions_by_building(Building.objects.filter(pk__in=residents.values("building_id")))
    today = timezone.localdate()
    counter = RowCounter(on_progress)
    if on_progress is not None:
        counter.total = (
            ResidentTag.objects.filter(resident__in=residents) if kind == "key_population" else residents
        ).count()
        on_progress(0, counter.total)
    if kind == "roster":
        days = [today + datetime.timedelta(days=i) for i in range(1, ROSTER_DAYS + 1)]
        # The CSV holds every building, so each row says which; the workbook has a sheet per building.
        columns = [Column("小区"), Column("楼号"), *ROSTER_COLUMNS, *(Column(f"{day:%m-%d}", 6) for day in days)]
        rows = counter.count(_roster_rows(residents, permissions, today, len(days)))
        sheets = _roster_sheets(rows, columns[2:], today)
    else:
        make_rows = _household_rows if kind == "households" else _key_population_rows
        columns = HOUSEHOLD_COLUMNS if kind == "households" else KEY_POPULATION_COLUMNS
        rows = counter.count(make_rows(residents, permissions, today))
        sheets = [SheetSpec(KINDS[kind].title, columns, rows, titles=(_title(kind, today),))]
    if fmt == "xlsx":
        write_table(sheets, target)
    else:
        text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        write_csv(columns, rows, text)
        text.detach()
    AuditEvent.objects.create(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        detail={"kind": kind, "format": fmt, "rows": counter.rows, "building": building.pk if building else None},
        ip_address=ip_address,
    )
    return counter.rows


class RowCounter:
    """Counts the rows as they are written, and tells `on_progress` every CHUNK rows."""

    rows = 0
    total = 0

    def __init__(self, on_progress=None):
        self.on_progress = on_progress

    def count(self, rows):
        for row in rows:
            self.rows += 1
            if self.on_progress is not None and self.rows % CHUNK == 0:
                self.on_progress(self.rows, self.total)
            yield row


def _title(kind, today):
    return f"{KINDS[kind].title}（{today:%Y年%m月%d日}导出）"


def _chunks(residents):
    """The residents' values in register order, a chunk at a time, each with its tags: {id: [tag row]}."""
    ordered = residents.order_by(
        "building__compound__name", "building__sort_key", "building__number", "household_id", "id"
    )
    chunk = []
    for row in ordered.values_list(*RESIDENT_VALUES.values()).iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk, _tags(chunk)
            chunk = []
    if chunk:
        yield chunk, _tags(chunk)


def _tags(chunk):
    tags = defaultdict(list)
    for resident_id, *values in (
        ResidentTag.objects.filter(resident_id__in=[row[R.id] for row in chunk])
        .order_by("resident_id", "tag")
        .values_list("resident_id", "tag", "condition", "medicine", "due_date", "note")
    ):
        tags[resident_id].append(values)
    return tags


# The fields of a row read as the role reads them (scoping.FIELDS), by position; the others are areas.
READ_FIELDS = [(position, name) for name, position in vars(R).items() if name in FIELDS[Resident]]


def _shown(row, permissions: Permissions):
    """The row with each field as the role reads it in an export: numbers in full where it may
    reveal them; and the resident's age as the role reads it, from the full birth date."""
    shown = list(row)
    for position, name in READ_FIELDS:
        shown[position] = permissions.read(name, row[position], unmasked=True)
    return shown


def _tag_words(tag_rows, allowed):
    """The tags as the pages name them, with the illness or the due date in brackets where the role
    reads them (慢性病（高血压）, 孕妇（2022-06-01）): the shapes the import reads back."""
    words = []
    for tag, condition, _medicine, due_date, _note in tag_rows:
        detail = allowed.read("condition", condition, of=ResidentTag) if tag == Tag.CHRONIC else ""
        if tag == Tag.PREGNANT and due_date and allowed.read("due_date", due_date, of=ResidentTag):
            detail = due_date.isoformat()
        words.append(f"{_word(Tag, tag)}（{detail}）" if detail else _word(Tag, tag))
    return "、".join(words)


def _age(values, permissions, today):
    """The resident's age as the role reads it, from the birth date in full (the role may read the month only)."""
    birth_date = values[R.birth_date]
    if birth_date is None:
        return ""
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    return permissions.read("age", age) or ""


def _household_rows(residents, permissions, today):
    for chunk, tags in _chunks(residents):
        for values in chunk:
            row = _shown(values, permissions[values[R.building_id]])
            yield [
                row[R.compound],
                row[R.number],
                row[R.unit],
                row[R.room],
                row[R.name],
                _word(Sex, row[R.sex]),
                row[R.birth_date],
                row[R.id_number],
                row[R.phone],
                _word(Relation, row[R.relation]),
                _word(Presence, row[R.presence]),
                _tag_words(tags.get(row[R.id], []), permissions[values[R.building_id]]),
                PARTY.get(row[R.party_member], ""),
                row[R.notes],
            ]


def _key_population_rows(residents, permissions, today):
    tagged = residents.filter(pk__in=ResidentTag.objects.values("resident_id"))
    for chunk, tags in _chunks(tagged):
        for values in chunk:
            allowed = permissions[values[R.building_id]]
            row = _shown(values, allowed)
            for tag, condition, medicine, due_date, note in tags.get(row[R.id], []):
                yield [
                    _word(Tag, tag),
                    row[R.compound],
                    row[R.number],
                    row[R.unit],
                    row[R.room],
                    row[R.name],
                    _word(Sex, row[R.sex]),
                    _age(values, allowed, today),
                    row[R.phone],
                    _word(Presence, row[R.presence]),
                    *allowed.readable(
                        {"condition": condition, "medicine": medicine, "due_date": due_date, "note": note},
                        of=ResidentTag,
                    ).values(),
                ]


def _roster_rows(residents, permissions, today, days):
    """Each resident with the building's compound and number first, and an empty box per day to tick."""
    for chunk, tags in _chunks(residents):
        for values in chunk:
            allowed = permissions[values[R.building_id]]
            row = _shown(values, allowed)
            yield [
                row[R.compound],
                row[R.number],
                row[R.unit],
                row[R.room],
                row[R.name],
                _word(Sex, row[R.sex]),
                _age(values, allowed, today),
                row[R.phone],
                _tag_words(tags.get(row[R.id], []), allowed),
                *[""] * days,
            ]


def _roster_sheets(rows, columns, today):
    """One printable sheet per building, from the rows in register order."""
    for (compound, number), building_rows in itertools.groupby(rows, key=lambda row: (row[0], row[1])):
        name = f"{compound} {number}号楼"
        titles = (f"{name} 一楼一表", f"打印于 {today:%Y-%m-%d}　楼组长：__________　每日核对后在当天格内打 √")
        yield SheetSpec(name, columns, (row[2:] for row in building_rows), titles=titles, for_print=True)
