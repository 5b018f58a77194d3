"""Text as people type or paste it, cleaned at the edge (forms, the import) before anything compares,
stores or shows it.

Removed: the characters that draw nothing, so that a room or a name cannot look like another while
being different (101 and 1\u200b01), nor be made of nothing at all: format characters (Unicode
category Cf: zero-width spaces and joiners, the byte-order mark, the soft hyphen, the bidirectional
controls U+202A-202E and U+2066-2069 that reorder what a name shows), control characters (Cc; free
text keeps its line breaks), lone surrogates (Cs), the combining grapheme joiner and the Hangul
fillers. Other spaces (U+00A0, U+3000 …) and tabs become a plain space, and the ends are trimmed.

Then the text is put in NFC, so that a letter typed two ways (é, or e and a combining accent) is one.
Codes (rooms, units, building numbers) go further, to NFKC, which also folds full-width and circled
digits (１０１, ①) into ASCII; names and notes keep their compatibility forms as typed. Private-use
characters stay: some rare characters of Chinese names are typed in the private-use area.
"""

import functools
import re
import sys
import unicodedata

from .formulas import without_inert_mark

INVISIBLE_CATEGORIES = ("Cc", "Cf", "Cs")
DRAW_NOTHING = "\u034f\u115f\u1160\u3164\uffa0"  # combining grapheme joiner, Hangul fillers (category Lo/Mn)
DRAWING_NOTHING = re.compile(f"[{DRAW_NOTHING}]")
LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@functools.cache
def _patterns():
    """(spaces, invisible) as character classes, built from this Python's Unicode tables once."""
    spaces, invisible = ["\t"], list(DRAW_NOTHING)
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category == "Zs" and code != 0x20:
            spaces.append(chr(code))
        elif category in INVISIBLE_CATEGORIES and chr(code) != "\n":
            invisible.append(chr(code))
    return _char_class(spaces), _char_class(invisible)


def _char_class(chars):
    ranges, start, end = [], None, None
    for code in sorted(map(ord, chars)):
        if start is not None and code == end + 1:
            end = code
            continue
        if start is not None:
            ranges.append((start, end))
        start = end = code
    ranges.append((start, end))
    return re.compile("[" + "".join(_range(a, b) for a, b in ranges) + "]")


def _range(start, end):
    first = re.escape(chr(start)) if start > 0x20 else f"\\x{start:02x}"
    last = re.escape(chr(end)) if end > 0x20 else f"\\x{end:02x}"
    return first if start == end else f"{first}-{last}"


def clean_line(value: str) -> str:
    """One line of text: a name, a title, a room. Line breaks become spaces."""
    if "\n" not in value and _clean_already(value):  # the common case, and the fastest
        return value.strip()
    return _cleaned(LINE_BREAK.sub(" ", value))


def clean_paragraphs(value: str) -> str:
    """Free text (notes): line breaks kept, as one \\n each."""
    if _clean_already(value):
        return value.strip()
    return _cleaned(LINE_BREAK.sub("\n", value))


def clean_code(value: str) -> str:
    """A room, a unit or a building number: a line, with compatibility forms folded (１０１ → 101)."""
    return unicodedata.normalize("NFKC", clean_line(value)).strip()


def clean_cell(value):
    """A spreadsheet cell as the import reads it: text cleaned as free text (a name or a room is
    made a line by its own parser), and the apostrophe that the CSV export puts before text an office
    suite would run as a formula ('=1+1) taken off again. Numbers and dates pass as they are.
    Called for every cell of an import: the common case is one search and a quick check, no copy."""
    if type(value) is not str:
        return value
    value = without_inert_mark(value)
    if _clean_already(value):
        return value.strip()
    return _cleaned(LINE_BREAK.sub("\n", value))


def clean_row(row: list) -> list:
    """A spreadsheet row with each cell as clean_cell makes it: the row itself when no text cell
    needs it (the common case: one search over the row's text, not one per cell)."""
    text = " ".join(value for value in row if type(value) is str)
    if "'" not in text and _clean_already(text):
        return row
    return [clean_cell(value) for value in row]


def _clean_already(value):
    """Nothing to remove or replace but at the ends, and in NFC (which ASCII always is). isprintable
    is false for every Cc, Cf and Cs character and every space but " " (and for private-use and
    unassigned ones, which the slow path keeps): one pass in C, several times faster than a search."""
    return (
        value.isprintable()
        and not DRAWING_NOTHING.search(value)
        and (value.isascii() or unicodedata.is_normalized("NFC", value))
    )


def _cleaned(value):
    spaces, invisible = _patterns()
    value = invisible.sub("", spaces.sub(" ", value))
    return unicodedata.normalize("NFC", value).strip()
