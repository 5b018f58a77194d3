"""Mainland ID numbers (GB 11643-1999) and mobile numbers: validation, normalisation, masking."""

import datetime
import operator
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_noop

from .bounds import EARLIEST_BIRTH_DATE

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# The first digit of the region code names a part of the country; 9 is unused, 0 only in tests.
ID_PATTERN = re.compile(r"^[1-8]\d{16}[\dX]$")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# Why parse_mainland_id refused a number, by the reason it raises.
ID_ERRORS = {
    "length": gettext_noop("An ID number has 18 characters."),
    "characters": gettext_noop("An ID number is 17 digits followed by a digit or X."),
    "birth_date": gettext_noop("The birth date inside this ID number is not a real date."),
    "checksum": gettext_noop("This ID number's check digit is wrong: a digit was probably mistyped."),
}
WHITESPACE = re.compile(r"\s")
FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def to_halfwidth(text):
    return text.translate(FULLWIDTH)


def id_check_char(first17):
    return ID_CHECK_CHARS[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


def parse_mainland_id(raw, today=None):
    """Return IdInfo for a valid 18-digit ID number, else raise ValueError with the reason."""
    number = WHITESPACE.sub("", to_halfwidth(str(raw))).upper()
    if len(number) != 18:
        raise ValueError("length")
    if not ID_PATTERN.match(number):
        raise ValueError("characters")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("birth_date") from None
    if not EARLIEST_BIRTH_DATE <= birth <= (today or timezone.localdate()):
        raise ValueError("birth_date")
    if id_check_char(number[:17]) != number[17]:
        raise ValueError("checksum")
    return IdInfo(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def normalise_mobile(raw):
    """Return the 11-digit mobile number, or raise ValueError if it is not one."""
    digits = re.sub(r"[\s\-()]", "", to_halfwidth(str(raw)))
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    if not MOBILE_PATTERN.match(digits):
        raise ValueError("mobile")
    return digits


def mask_id_number(number):
    if not number:
        return ""
    if len(number) <= 8:
        return number[:1] + "*" * (len(number) - 1)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number):
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# A mobile or ID number inside free text (a note, a donor's name): 13912345678, 139 1234 5678, 139-1234-5678.
NUMBER_IN_TEXT = re.compile(r"(?<!\d)(?:1[3-9]\d(?:[ \-]?\d{4}){2}|\d{17}[\dXx]|\d{15})(?!\d)")
FULLWIDTH_DIGITS = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)})


def mask_numbers_in(text):
    """The text with every mobile or ID number in it masked (张三 139****5678), for text that people
    who may not read numbers see."""

    def masked(match):
        digits = re.sub(r"[ \-]", "", match[0])
        return mask_phone(digits) if len(digits) == 11 else mask_id_number(digits)

    return NUMBER_IN_TEXT.sub(masked, text.translate(FULLWIDTH_DIGITS))
