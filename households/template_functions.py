"""Filters for the register's pages (added to the environment in lockdown/jinja2.py).

Badges are filters, not macros: a macro call per resident was a third of a building page's time.
A resident here is a Resident or a row, given `presence_label` and `tag_list` by selectors.with_labels.
"""

import datetime

from markupsafe import Markup, escape

from .models import building_label, room_label


def presence_badge(resident):
    presence, label = escape(resident.presence), escape(resident.presence_label)
    return Markup(f'<span class="presence presence-{presence}">{label}</span>')


def tag_badges(resident, with_notes=False):
    """The tags; each tag's note as its tooltip only for roles that may read notes (not volunteers)."""
    return Markup(
        "".join(
            f'<span class="tag tag-{escape(t.tag)}"{_title(t.note) if with_notes else ""}>{escape(t.label)}</span>'
            for t in resident.tag_list
        )
    )


def month(value):
    """A birth date's year and month, as a list shows it: a date, or the month a role reads already."""
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m}"
    return value or ""


def _title(note):
    return f' title="{escape(note)}"' if note else ""


filters = {"presence_badge": presence_badge, "tag_badges": tag_badges, "month": month}
# Rooms and buildings are written by one helper each, on every page (see models.room_label).
globals = {"room_label": room_label, "building_label": building_label}
