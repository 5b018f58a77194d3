"""Values out of spreadsheet cells typed by many hands: text, dates, ID numbers, mobile numbers.

Each parser takes a raw cell value (str, int, float, date or datetime) and returns the clean value,
or raises CellError with a message a person can read (translated by the caller's active language).
"""

import datetime
import math
import os
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from .bounds import EARLIEST_BIRTH_DATE
from .identity import (
    FULLWIDTH,
    ID_ERRORS,
    MOBILE_PATTERN,
    id_check_char,
    normalise_mobile,
    parse_mainland_id,
    to_halfwidth,
)
from .spreadsheets import cell_text

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # day 0 of Excel's serial dates (after its 1900 leap-year bug)
DATE_TEXT = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?$")
DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MOBILE_IN_TEXT = re.compile(r"(?:\+?86[\s\-]?)?1[3-9](?:[\s\-]?\d){9}(?!\d)")
OTHER_NUMBER = re.compile(r"\d[\d\s\-]{5,}\d")
LANDLINE = re.compile(r"(?:0\d{2,3}-?)?\d{7,8}(?:-\d{1,6})?")
SPACES = re.compile(r"\s+")
SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?E\+?\d+$")
CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


DIGIT_RUNS = re.compile(r"(\d+)")


def natural_key(value) -> tuple:
    """Text with its numbers compared as numbers: 1号楼 before 2号楼 before 10号楼."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in DIGIT_RUNS.split(str(value)) if part
    )


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    """The cell as a person reads it, half-width, trimmed: 3.0 → "3", "１２　号" → "12 号"."""
    if type(value) is str:  # the common case first: most cells are text
        return value.translate(FULLWIDTH).strip()
    return to_halfwidth(cell_text(value)).strip()


def name(value) -> str:
    """A person's name: inner spaces collapsed, and dropped between Chinese characters (张 三 → 张三)."""
    found = text(value)
    if " " not in found and "\t" not in found:
        return found
    return CJK_SPACE.sub("", SPACES.sub(" ", found))


def date(value, *, today=None) -> datetime.date:
    """A birth date from an Excel date, an Excel serial number, 19450302, 1945年3月2日, 1945.3.2 …"""
    if isinstance(value, datetime.datetime):
        found = value.date()
    elif isinstance(value, datetime.date):
        found = value
    elif isinstance(value, int | float):
        found = _date_from_number(value)
    else:
        found = _date_from_text(text(value))
    if not EARLIEST_BIRTH_DATE <= found <= (today or timezone.localdate()):
        raise CellError(_("%(date)s is not a possible birth date.") % {"date": found.isoformat()})
    return found


def _date_from_number(number):
    if number != int(number):
        raise CellError(_("%(value)s is not a date.") % {"value": number})
    number = int(number)
    if 18800101 <= number <= 21001231:
        return _date_from_text(str(number))
    if 0 < number < 80000:  # a date cell that lost its format shows Excel's day count
        return EXCEL_EPOCH + datetime.timedelta(days=number)
    raise CellError(_("%(value)s is not a date.") % {"value": number})


def _date_from_text(raw):
    if raw.isdigit() and len(raw) <= 5:  # a date cell's day count, exported as text
        return _date_from_number(int(raw))
    match = DATE_TEXT.match(raw) or DATE_DIGITS.match(raw)
    if not match:
        raise CellError(_("%(value)s is not a date: write it as 1945-03-02 or 1945年3月2日.") % {"value": raw})
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("%(value)s is not a real date.") % {"value": raw}) from None


def mainland_id(value, *, today=None):
    """A mainland ID number as identity.IdInfo, rescued where its digits are all there.

    Rescued: an old 15-digit number (made 18 as the law describes), and 17 digits whose check
    character would be X (the X was lost). A number of 16 digits or more that a spreadsheet kept as a
    number is never trusted, whatever its checksum: a spreadsheet number holds 15 significant digits
    (Excel, and LibreOffice's .xlsx), or a binary double (.xls), so the last digits are rounded, and
    about one rounded number in eleven still passes the checksum. RoundedNumber says so.
    """
    if isinstance(value, float | int):
        if not math.isfinite(value) or abs(value) >= 1e30:
            raise CellError(_("%(value)s is not an ID number.") % {"value": text(value)})
        if abs(value) >= 10**15:
            raise RoundedNumber(certain_digits(value))
        digits = str(int(value)) if float(value).is_integer() else text(value)
        try:
            return parse_mainland_id(_complete(digits), today=today)
        except ValueError:
            raise CellError(_("%(value)s is not an ID number.") % {"value": digits}) from None
    raw = SPACES.sub("", text(value)).upper().lstrip("'")  # '310… : typed so to keep it text
    if SCIENTIFIC.match(raw):  # a number cell saved as text ("3.10105194503021E+17")
        number = float(raw)
        if not math.isfinite(number) or abs(number) >= 1e30:
            raise CellError(_("%(value)s is not an ID number.") % {"value": raw})
        raise RoundedNumber(certain_digits(number, written=raw))
    try:
        return parse_mainland_id(_complete(raw), today=today)
    except ValueError as error:
        raise CellError(_(ID_ERRORS[str(error)])) from None


class RoundedNumber(CellError):
    """A long number that a spreadsheet rounded: only its first digits are known."""

    def __init__(self, digits):
        if digits:
            message = _(
                "This ID number was saved as a number, and the office suite rounded it: only its first "
                "%(count)s digits are certain (%(digits)s…). Format the column as text, type the number "
                "again and upload the file."
            ) % {"count": len(digits), "digits": digits}
        else:
            message = _(
                "This ID number was saved as a number, and the office suite rounded it. Format the column "
                "as text, type the number again and upload the file."
            )
        super().__init__(message)
        self.digits = digits


def certain_digits(number, *, written=None) -> str:
    """The leading digits of a long integer that are certain after a spreadsheet stored it as a number.

    A number written with at most 15 significant digits was rounded there (at the 15th, or at the last
    one written out as text); one with more is a binary double, off by at most half its last bit. The
    digits that every number in that interval shares are certain.
    """
    whole = int(number)
    mantissa = (written or repr(float(number))).upper().split("E")[0]
    significant = len(mantissa.replace(".", "").replace("-", "").strip("0"))
    length = len(str(abs(whole)))
    if significant > 15 and written is None:
        half = math.ulp(float(number)) / 2
    else:
        kept = significant if written is not None else 15
        half = 5 * 10 ** max(length - kept - 1, 0)
    low, high = str(whole - math.ceil(half)), str(whole + math.floor(half))
    if len(low) != len(high):
        return ""
    return os.path.commonprefix([low, high])


def _complete(number):
    if len(number) == 15 and number.isdigit():  # first-generation ID card: no century, no check digit
        first17 = f"{number[:6]}19{number[6:]}"
        return first17 + id_check_char(first17)
    if len(number) == 17 and number.isdigit() and id_check_char(number) == "X":
        return number + "X"
    return number


def mobiles(value) -> tuple[list[str], list[str]]:
    """(mobile numbers, other numbers) in a cell that may hold several: "138… / 021-62800000"."""
    raw = text(value)
    if MOBILE_PATTERN.match(raw):  # the common case: one mobile number, nothing else
        return [raw], []
    found = [normalise_mobile(match) for match in MOBILE_IN_TEXT.findall(raw)]
    rest = MOBILE_IN_TEXT.sub(" ", raw)
    others = [SPACES.sub("", number) for number in OTHER_NUMBER.findall(rest)]
    wrong = [number for number in others if not LANDLINE.fullmatch(number)]
    if wrong or (raw and not found and not others):
        raise CellError(
            _("%(value)s is not a mobile number: a mobile number has 11 digits and starts with 1.")
            % {"value": wrong[0] if wrong else raw}
        )
    return list(dict.fromkeys(found)), others
