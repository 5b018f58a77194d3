"""Text that an office suite would run as a formula (CSV injection), and how the product keeps it text.

The exports neutralise it (lockdown.core.spreadsheets); the import takes the mark off again
(lockdown.core.text), so that an exported table imports as it was.
"""

# A text cell starting with one of these is run as a formula by some office suite: OWASP's list for
# CSV injection (= + - @, tab, carriage return), the line feed, the NUL that LibreOffice drops before
# reading an "=" after it, and the full-width signs a Chinese input method types (an office suite
# that folds them to half-width would run them too). A cell whose value is a number is a number and
# passes; text that starts so is always neutralised, whatever follows the sign ("=1+1", "-2+3+cmd|…").
FORMULA_STARTS = frozenset("=+-@\t\r\n\x00＝＋－＠")


def looks_like_formula(value) -> bool:
    return type(value) is str and value[:1] in FORMULA_STARTS


def inert(value):
    """Text an office suite would run as a formula with a leading apostrophe, as OWASP advises: the
    suite shows it as text."""
    return "'" + value if looks_like_formula(value) else value


def without_inert_mark(value: str) -> str:
    """A cell as it was before `inert` marked it ('=1+1 → =1+1)."""
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_STARTS else value
