"""What a volunteer's phone shows today: their shifts, the buildings they cover, and the tasks of
those buildings, nearest first. A fixed number of queries however many tasks the community has."""

import datetime

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from households.models import Building, compound_shown

from .models import Membership, Shift, Signup, Task, Volunteer
from .task_list import UNFINISHED

LOOK_AHEAD = datetime.timedelta(hours=6)  # late in the evening, the night's work is still today's


def volunteer_of(user) -> Volunteer | None:
    """The account's volunteer record, if it has one."""
    return Volunteer.objects.filter(user_id=user.pk).first() if user.is_authenticated else None


def shifts_of_day(volunteer: Volunteer, date: datetime.date):
    """The shifts the volunteer holds a place on, of the roster of `date`, earliest first."""
    signups = Signup.objects.filter(volunteer=volunteer, state=Signup.State.HOLDING, shift__roster__date=date)
    return signups.select_related("shift__group", "shift__roster__compound").order_by("shift__starts_at", "pk")


def check_ins_led(volunteer: Volunteer, date: datetime.date) -> list[dict]:
    """The compounds ({"id", "name"}) whose roster of `date` has a shift of a group the volunteer
    leads: a group leader checks their group in at the gathering point, from the phone."""
    led = Membership.objects.filter(volunteer=volunteer, leader=True).values("group_id")
    shifts = Shift.objects.filter(roster__date=date, group_id__in=led)
    rows = shifts.values_list("roster__compound_id", "roster__compound__name").distinct()
    return [{"id": pk, "name": name} for pk, name in rows.order_by("roster__compound__name")]


def covered_buildings(building_ids):
    """The buildings of `building_ids` (those the volunteer covers), in their order, with the compound's
    name where the community has several (`compound_shown`, for building_label)."""
    buildings = Building.objects.filter(pk__in=sorted(building_ids)).annotate(compound_shown=compound_shown("compound"))
    return buildings.order_by("compound__name", "sort_key", "number")


def tasks_of_day(*, building_ids, user, date: datetime.date):
    """The tasks still to do in `building_ids` that are due by the end of `date` or within the next
    hours (a wave sent out at 22:00 is due after midnight), late ones too, or at no time: the user's
    own first, then the soonest due. A queryset to paginate; the index (building, state, due_at)
    finds them among a community's thousands."""
    tomorrow = timezone.make_aware(datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time()))
    horizon = max(tomorrow, timezone.now() + LOOK_AHEAD)
    tasks = Task.objects.filter(building_id__in=sorted(building_ids), state__in=UNFINISHED)
    tasks = tasks.filter(Q(due_at__lt=horizon) | Q(due_at__isnull=True))
    mine_first = Case(When(claimed_by_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    tasks = tasks.annotate(mine=mine_first, compound_shown=compound_shown())
    return tasks.select_related("building", "claimed_by").order_by("mine", F("due_at").asc(nulls_last=True), "pk")
