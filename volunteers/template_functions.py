"""Filters for the volunteers' pages (added to the environment in lockdown/jinja2.py).

A shift's times and limits are filters, not macros: a roster of 40 shifts called the macros' many
date filters and translations for a tenth of its time. The roster's rows are one filter too, as the
register's badges are: 300 rows rendered by the template were two thirds of the page's time."""

from django.utils import timezone
from django.utils.translation import gettext as _
from markupsafe import Markup, escape

from .choices import DayPart, Skill, labels
from .task_list import finished_on_its_page


def skill_labels(values):
    return labels(Skill, values)


def day_part_labels(values):
    return labels(DayPart, values)


def shift_times(shift) -> str:
    """07:00–11:00; an end the next morning says so: 22:00–次日 06:00."""
    starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    next_day = f"{_('next day')} " if ends.date() != starts.date() else ""
    return f"{starts:%H:%M}–{next_day}{ends:%H:%M}"


def shift_limits(shift) -> str:
    """The shift's age limit and the skills it needs, in words, or ""."""
    youngest, oldest = shift.min_age, shift.max_age
    if youngest is not None and oldest is not None:
        parts = [_("ages %(youngest)s to %(oldest)s") % {"youngest": youngest, "oldest": oldest}]
    elif oldest is not None:
        parts = [_("up to %(age)s") % {"age": oldest}]
    elif youngest is not None:
        parts = [_("from %(age)s") % {"age": youngest}]
    else:
        parts = []
    if shift.skills:
        parts.append(_("needs %(skills)s") % {"skills": skill_labels(shift.skills)})
    return " · ".join(parts)


def roster_rows(row, url, read_mobile, move_label) -> Markup:
    """The table rows of a shift's people (roster_selectors.ShiftRow): its holders numbered, then
    its waiting list in line, each with their age, skills, mobile as `read_mobile` shows it, and
    the link to move them."""
    lines = []
    for index, person in enumerate(row.people, 1):
        waiting = person.state == "waiting"
        number = _("waiting %(n)s") % {"n": index - row.filled} if waiting else index
        link = url("volunteers:signup_move", person.signup_id)
        lines.append(
            f"<tr{' class=waiting' if waiting else ''}><td class=num>{escape(number)}</td>"
            f"<td>{escape(person.name)}</td><td class=num>{person.age}</td>"
            f"<td>{escape(skill_labels(person.skills))}</td><td>{escape(read_mobile(person.mobile))}</td>"
            f'<td><a href="{escape(link)}">{escape(move_label)}</a></td></tr>'
        )
    return Markup("\n".join(lines))


filters = {
    "skills": skill_labels,
    "day_parts": day_part_labels,
    "shift_times": shift_times,
    "shift_limits": shift_limits,
    "roster_rows": roster_rows,
    "finished_on_its_page": finished_on_its_page,
}
