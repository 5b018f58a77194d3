"""What a request brings in, checked at the edge: ids in a query string, and forms whose every field
is cleaned and bounded before the form's own checks.

An id outside what the database holds (lockdown.core.bounds) never reaches a query: in a query string
it answers 400 with a message (BadQuery, shown by lockdown.views.bad_request), in a form it is a
choice that does not exist. Text is cleaned (lockdown.core.text) and bounded in length, dates are
bounded, each with a message next to its field.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .bounds import EARLIEST_BIRTH_DATE, EARLIEST_DATE, ID_MAX, ID_MIN, LATEST_DATE, NEAR, TEXT_MAX
from .identity import to_halfwidth
from .text import clean_code, clean_line, clean_paragraphs


class BadQuery(BadRequest):
    """A request the project refuses, with a message for the person: the 400 page shows it. Any other
    400 (a host not allowed, a request too big) says nothing of why, since Django's words for it
    name the configuration, in English."""


TOO_LONG = _("At most %(limit_value)d characters fit here; this has %(show_value)d. Shorten it and save again.")


def as_id(value) -> int | None:
    """The id a value names, or None if it names none (not a whole number from 1 to ID_MAX)."""
    if isinstance(value, int):
        number = value
    else:
        text = to_halfwidth(str(value)).strip()
        if not text.isascii() or not text.isdigit():
            return None
        number = int(text)
    return number if ID_MIN <= number <= ID_MAX else None


def query_id(query, name) -> int | None:
    """`?name=` as an id; None when it is absent or empty (a filter left at "all"); a value that is
    no id is the caller's mistake, a 400 that says which."""
    raw = query.get(name, "")
    if not raw.strip():
        return None
    number = as_id(raw)
    if number is None:
        raise BadQuery(_bad_id(raw))
    return number


def query_ids(query, name) -> list[int]:
    """`?name=1,2,3` as ids (empty parts skipped); any part that is no id makes a 400."""
    numbers = []
    for part in query.get(name, "").split(","):
        if part.strip():
            number = as_id(part)
            if number is None:
                raise BadQuery(_bad_id(part))
            numbers.append(number)
    return numbers


def _bad_id(raw):
    return gettext(
        "This page's address is broken: %(value)s is not the number of anything in the register. "
        "Go back and choose from the list on the page."
    ) % {"value": raw[:30]}


@dataclass(frozen=True)
class DateBounds:
    """The dates a field takes, from today: (earliest, latest), and what to say outside them."""

    span: Callable[[datetime.date], tuple[datetime.date, datetime.date]]
    message: str


BIRTH_DATE = DateBounds(
    lambda today: (EARLIEST_BIRTH_DATE, today),
    _("%(date)s is not a possible birth date: enter one from %(earliest)s to today."),
)
NEAR_TODAY = DateBounds(
    lambda today: (today - NEAR, today + NEAR),
    _("%(date)s is more than a year from today: check the year."),
)
# A time to come (a deadline, a return expected): that it has not passed is the service's to say.
WITHIN_A_YEAR_AHEAD = DateBounds(
    lambda today: (EARLIEST_DATE, today + NEAR),
    _("%(date)s is more than a year from today: check the year."),
)
ANY_DATE = DateBounds(
    lambda today: (EARLIEST_DATE, LATEST_DATE),
    _("%(date)s is not a date this register keeps: enter one from %(earliest)s to %(latest)s."),
)


class CleanForm(forms.Form):
    """A form whose every field is checked at the edge, before its own validation:

    - text is cleaned (lockdown.core.text): as a code in `code_fields` (rooms, units), as paragraphs
      in a Textarea, else as one line; a required field left empty by the cleaning (a name of
      zero-width spaces) is refused as empty; text without a length limit gets TEXT_MAX;
    - the ids of a model choice are checked against the database's range before any query;
    - a date is within `date_bounds[name]`, or ANY_DATE.

    The fields are prepared when the form validates, not when it is made: forms add fields in their
    own __init__, after this one's, and every field of the form is meant, whoever adds it.
    """

    code_fields: tuple[str, ...] = ()
    date_bounds: dict[str, DateBounds] = {}

    def full_clean(self):
        for name, field in self.fields.items():
            if not getattr(field, "checked_at_edge", False):
                self._check_at_edge(name, field)
        super().full_clean()

    def _check_at_edge(self, name, field):
        if isinstance(field, forms.ModelChoiceField) and not field.to_field_name:
            _before_clean(field, _known_ids(field))
        elif isinstance(field, forms.CharField):
            if field.max_length is None:
                field.max_length = TEXT_MAX
                field.validators.append(MaxLengthValidator(TEXT_MAX))
                field.widget.attrs.setdefault("maxlength", str(TEXT_MAX))
            field.error_messages["max_length"] = TOO_LONG
            if name in self.code_fields:
                clean = clean_code
            elif isinstance(field.widget, forms.Textarea):
                clean = clean_paragraphs
            else:
                clean = clean_line
            _before_clean(field, lambda value: clean(value) if isinstance(value, str) else value)
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            _after_clean(field, _within(self.date_bounds.get(name, ANY_DATE)))
        field.checked_at_edge = True


def _before_clean(field, step):
    clean = field.clean
    field.clean = lambda value: clean(step(value))


def _after_clean(field, check):
    clean = field.clean

    def checked(value):
        value = clean(value)
        check(value)
        return value

    field.clean = checked


def _known_ids(field):
    """A step that lets a choice through only if each value is an id the database could hold; else
    the field's own "not one of the choices"."""

    def check(value):
        values = value if isinstance(value, list | tuple) else [value]
        for one in values:
            if one not in field.empty_values and as_id(one) is None:
                raise ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice", params={"value": one}
                )
        return value

    return check


def _within(bounds: DateBounds):
    def check(value):
        if value is None:
            return
        # A form's date and time is read in the current time zone already: its date is the local one.
        day = value.date() if isinstance(value, datetime.datetime) else value
        earliest, latest = bounds.span(timezone.localdate())
        if not earliest <= day <= latest:
            raise ValidationError(
                bounds.message
                % {"date": day.isoformat(), "earliest": earliest.isoformat(), "latest": latest.isoformat()}
            )

    return check
