"""Reads of rosters for staff's roster page, the morning's check-in and the volunteer's phone: each in
a fixed number of queries however many shifts and volunteers there are."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import Notice, Roster, Shift, ShiftTemplate, Signup
from .signups import closes_at, limits_refusal, overlap_refusal, position_in_line

State = Signup.State


@dataclass(slots=True)
class Person:
    """A volunteer on a shift, as the roster and the check-in list show them: read as plain values,
    since model instances of 300 sign-ups and their volunteers were most of the roster's time."""

    signup_id: int
    state: str
    name: str
    age: int
    skills: list
    mobile: str
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None
    trained: bool
    suit_issued: bool


PERSON_FIELDS = (
    "pk",
    "state",
    "volunteer__name",
    "volunteer__age",
    "volunteer__skills",
    "volunteer__mobile",
    "checked_in_at",
    "checked_out_at",
    "trained",
    "suit_issued",
)


@dataclass
class ShiftRow:
    shift: Shift
    holders: list = field(default_factory=list)  # People, first signed up first
    waiting: list = field(default_factory=list)  # People, in line

    @property
    def people(self) -> list:
        return self.holders + self.waiting

    @property
    def filled(self) -> int:
        return len(self.holders)

    @property
    def over(self) -> bool:
        return self.filled > self.shift.places


def roster_of(compound, date: datetime.date) -> Roster | None:
    return Roster.objects.filter(compound=compound, date=date).select_related("published_by").first()


def roster_board(roster: Roster) -> list[ShiftRow]:
    """Each shift of the roster with its holders and its waiting list in order: two queries."""
    rows = {shift.pk: ShiftRow(shift) for shift in roster.shifts.select_related("group")}
    signups = (
        Signup.objects.filter(shift__roster=roster, state__in=(State.HOLDING, State.WAITING))
        .order_by("signed_up_at", "pk")
        .values_list("shift_id", *PERSON_FIELDS)
    )
    for shift_id, *values in signups:
        person = Person(*values)
        row = rows[shift_id]
        (row.holders if person.state == State.HOLDING else row.waiting).append(person)
    return list(rows.values())


def roster_signature(roster: Roster) -> str:
    """Changes whenever someone signs up, cancels, moves up or is moved: the page polls it and
    reloads when it changes."""
    counts = Signup.objects.filter(shift__roster=roster).aggregate(
        rows=Count("pk"),
        holding=Count("pk", filter=Q(state=State.HOLDING)),
        last_in=Max("signed_up_at"),
        last_out=Max("cancelled_at"),
    )
    return "|".join(str(counts[key]) for key in ("rows", "holding", "last_in", "last_out")) + f"|{roster.closed_at}"


def roster_notices(roster: Roster, board: list[ShiftRow]) -> tuple[Counter, list[Notice]]:
    """The roster's SMS: how many are in each state, and those failed or unsure, for staff to follow up."""
    moved_up = [f"moved_up:{person.signup_id}" for row in board for person in row.holders]
    notices = Notice.objects.filter(Q(key__startswith=f"roster:{roster.pk}:") | Q(key__in=moved_up))
    counts = Counter(dict(notices.values_list("state").annotate(n=Count("pk")).order_by()))
    trouble = notices.filter(state__in=(Notice.State.FAILED, Notice.State.UNSURE)).order_by("-created_at")[:50]
    return counts, list(trouble)


def templates_of(community):
    """The community's shift templates, by compound, group and start."""
    return (
        ShiftTemplate.objects.filter(compound__community=community)
        .select_related("group", "compound")
        .order_by("compound__name", "group__name", "starts", "name")
    )


@dataclass
class PhoneShift:
    shift: Shift
    places_left: int
    refusal: str  # why the shift's limits keep this volunteer out, or ""
    mine: Signup | None  # the volunteer's own sign-up on it, with .position when waiting


@dataclass
class PhoneDay:
    roster: Roster | None
    closes_at: datetime.datetime | None
    shifts: list[PhoneShift]

    @property
    def mine(self) -> list[PhoneShift]:
        return [row for row in self.shifts if row.mine]

    @property
    def open(self) -> bool:
        """Whether sign-up (and a volunteer's own cancelling) is still open."""
        return self.closes_at is not None and timezone.now() < self.closes_at


def phone_day(volunteer, date: datetime.date) -> PhoneDay:
    """The volunteer's compound's shifts of `date`: places left, what keeps them out (the shift's
    limits, or another of theirs it overlaps on this roster: the sign-up itself checks every roster),
    their own sign-ups with their place in line. Four queries."""
    roster = Roster.objects.filter(compound_id=volunteer.compound_id, date=date).first()
    if roster is None:
        return PhoneDay(None, None, [])
    shifts = (
        roster.shifts.select_related("group")
        .annotate(holding=Count("signups", filter=Q(signups__state=State.HOLDING)))
        .order_by("starts_at", "name", "pk")
    )
    mine = Signup.objects.filter(volunteer=volunteer, shift__roster=roster, state__in=(State.HOLDING, State.WAITING))
    by_shift = {signup.shift_id: signup for signup in mine.annotate(position=position_in_line())}
    shifts = list(shifts)
    taken = [shift for shift in shifts if shift.pk in by_shift]
    rows = []
    for shift in shifts:
        clash = next((other for other in taken if other != shift and _overlap(other, shift)), None)
        refusal = limits_refusal(volunteer, shift) or (overlap_refusal(clash) if clash else "")
        rows.append(PhoneShift(shift, max(shift.places - shift.holding, 0), refusal, by_shift.get(shift.pk)))
    return PhoneDay(roster, closes_at(roster), rows)


def _overlap(one, other) -> bool:
    return one.starts_at < other.ends_at and other.starts_at < one.ends_at


def check_in_day(roster: Roster, group_ids: set[int] | None) -> list[ShiftRow]:
    """The day's shifts with the volunteers holding a place (no waiting list): all of them for
    staff, the groups a leader leads for a leader (`group_ids`)."""
    rows = roster_board(roster)
    return [row for row in rows if group_ids is None or row.shift.group_id in group_ids]
