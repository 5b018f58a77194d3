"""Hours worked, from check-in to check-out, per volunteer and per group, by day and in total: summed
in SQL, one query per table whatever the number of volunteers and days. A check-in without a
check-out counts nothing: it is listed apart, for staff to settle."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import DurationField, ExpressionWrapper, F, Sum

from .models import Signup

WORKED = ExpressionWrapper(F("checked_out_at") - F("checked_in_at"), output_field=DurationField())


@dataclass
class HoursRow:
    """One volunteer's or group's hours: by day ({date: hours}) and in total."""

    key: int
    name: str
    days: dict = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(self.days.values()), 2)


def _worked(community, date_from, date_to):
    return Signup.objects.filter(
        shift__roster__community=community,
        shift__roster__date__range=(date_from, date_to),
        state=Signup.State.HOLDING,
        checked_in_at__isnull=False,
        checked_out_at__isnull=False,
    )


def _rows(values, key, name) -> list[HoursRow]:
    rows = {}
    for value in values:
        row = rows.setdefault(value[key], HoursRow(value[key], value[name]))
        row.days[value["shift__roster__date"]] = round(value["worked"].total_seconds() / 3600, 2)
    return sorted(rows.values(), key=lambda row: (-row.total, row.name))


def hours_by_volunteer(community, date_from: datetime.date, date_to: datetime.date) -> list[HoursRow]:
    """Each volunteer who worked in the days, most hours first."""
    return _hours(community, date_from, date_to, "volunteer_id", "volunteer__name")


def hours_by_group(community, date_from: datetime.date, date_to: datetime.date) -> list[HoursRow]:
    return _hours(community, date_from, date_to, "shift__group_id", "shift__group__name")


def _hours(community, date_from, date_to, key, name) -> list[HoursRow]:
    """The hours summed per `key` and day, in one query."""
    values = (
        _worked(community, date_from, date_to)
        .values(key, name, "shift__roster__date")
        .annotate(worked=Sum(WORKED))
        .order_by()
    )
    return _rows(values, key, name)


def day_totals(rows: list[HoursRow]) -> dict:
    """{date: hours} over the rows, for a table's last line."""
    totals = defaultdict(float)
    for row in rows:
        for day, hours in row.days.items():
            totals[day] += hours
    return {day: round(hours, 2) for day, hours in totals.items()}


def not_checked_out(community, date_from: datetime.date, date_to: datetime.date):
    """Sign-ups checked in and never out in the days: their hours are not counted."""
    return (
        Signup.objects.filter(
            shift__roster__community=community,
            shift__roster__date__range=(date_from, date_to),
            state=Signup.State.HOLDING,
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
        )
        .select_related("volunteer", "shift__group", "shift__roster__compound")
        .order_by("shift__roster__date", "shift__starts_at", "volunteer__name")
    )
