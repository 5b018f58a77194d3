"""The register's rules about a resident, as plain functions: no ORM, no database.

Who is 80+ on a given day, the search fields derived from a resident's values, how a room and a
building are named, and which of a resident's fields each purpose reads. The services, the
spreadsheet import, the demo and the beat task all ask these, so that a rule is written once.
"""

import calendar
import datetime
import functools
import re

from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

# A resident's own fields, as a person or a file states them, in the order the pages show them.
# Each purpose's list is derived from this one, and says why it differs:
# forms.RESIDENT_FORM_FIELDS, spreadsheets.reader.RESIDENT_IMPORT_FIELDS, api.RESIDENT_API_FIELDS.
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

# Kept on the row for search (selectors.resident_search), derived from the fields above and
# written with them: search_fields().
SEARCH_FIELDS = ("name_initials", "id_last4", "phone_last4")


# 80+ --------------------------------------------------------------------------------------------------


def eightieth_birthday(birth_date: datetime.date) -> datetime.date:
    """The day the resident turns 80; born on 29 February, 28 February in a year without one."""
    try:
        return birth_date.replace(year=birth_date.year + 80)
    except ValueError:
        return birth_date.replace(year=birth_date.year + 80, day=28)


def is_80_plus(birth_date: datetime.date | None, today: datetime.date) -> bool:
    """Whether a resident born on `birth_date` is 80 or older on `today` (False when not known).
    `today` is the caller's: an import judges every row by the day it reads the file."""
    return birth_date is not None and eightieth_birthday(birth_date) <= today


def latest_80_plus_birth_date(today: datetime.date) -> datetime.date:
    """The latest birth date of a resident who is 80+ on `today`, for a query: is_80_plus(b, today)
    exactly when b <= this."""
    year = today.year - 80
    try:
        latest = today.replace(year=year)
    except ValueError:  # today is 29 February and that year has none
        latest = today.replace(year=year, day=28)
    if (latest.month, latest.day) == (2, 28) and calendar.isleap(year) and not calendar.isleap(today.year):
        latest = latest.replace(day=29)  # born on 29 February: 80 on this 28 February (eightieth_birthday)
    return latest


# Search fields ----------------------------------------------------------------------------------------

HAN_OR_OTHER = re.compile(r"[\u4e00-\u9fff]|[^\u4e00-\u9fff]+")


def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三 → zs; Li Lei → l. Character by character, each looked up once:
    an import of a whole street would otherwise spend most of its time in pypinyin."""
    return "".join(_initials(part) for part in HAN_OR_OTHER.findall(name)).lower()[:50]


@functools.lru_cache(maxsize=50_000)
def _initials(part):
    return "".join(p[0] for p in lazy_pinyin(part, style=Style.FIRST_LETTER) if p and p[0].isalnum())


def last4(number: str) -> str:
    """The last four characters of an ID or phone number, which a search by digits looks up by index."""
    return number[-4:]


def search_values(*, name: str, id_number: str, phone: str) -> tuple[str, str, str]:
    """The values of SEARCH_FIELDS, in their order, of a resident with these values."""
    return name_initials(name), last4(id_number), last4(phone)


def search_fields(*, name: str, id_number: str, phone: str) -> dict[str, str]:
    """SEARCH_FIELDS → their values, of a resident with these values."""
    return dict(zip(SEARCH_FIELDS, search_values(name=name, id_number=id_number, phone=phone), strict=True))


# Rooms and buildings ----------------------------------------------------------------------------------


def room_label(building_number, unit, room, compound=""):
    """The room as people write it: 12-3-501, or 12-501 without a unit; with its compound first,
    金杨一村 12-3-501, when `compound` is given: the name models.compound_shown() reads, where the
    community has more than one compound. Every page and export that writes a room uses this."""
    label = "-".join(part for part in (building_number, unit, room) if part)
    return f"{compound} {label}" if compound else label


def building_label(number, compound=""):
    """A building as the pages name it (12号楼), with its compound first as in room_label."""
    label = str(_("Building %(number)s") % {"number": number})
    return f"{compound} {label}" if compound else label
