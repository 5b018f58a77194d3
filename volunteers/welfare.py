"""The daily welfare check of residents tagged elderly living alone (独居老人): each morning every one
of them gets a check for the day and a task on the volunteers' one list; the volunteer of the
building takes it, and records what they found, which finishes the task. "Needs something" and "no
answer" are alerts on staff's pages until one of them marks the check handled.

    welfare_checks_offer(date=today)                                  # the beat task, staff's button
    welfare_check_record(actor=volunteer, check=check, outcome=NO_ANSWER)
    welfare_check_handle(actor=staff, check=check)
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.models import Presence, Resident, ResidentTag, Tag, compound_shown, room_label
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost

from . import task_list
from .models import Task, WelfareCheck
from .task_list import BATCH, UNFINISHED, Offer

KIND = "welfare_check"  # the checks' tasks on the one list
Outcome = WelfareCheck.Outcome
ALERTS = (Outcome.NO_ANSWER, Outcome.NEEDS)  # staff are told at once
DUE = datetime.time(12)  # a check is due by noon, local time ...
GRACE = datetime.timedelta(hours=3)  # ... or, offered later than 09:00, three hours after (that day still)
NOTE_MAX = WelfareCheck._meta.get_field("note").max_length


def source_key(date, resident_id) -> str:
    """The check's task's key on the list: one task per resident and day."""
    return f"{date}:{resident_id}"


@transaction.atomic
def welfare_checks_offer(*, date: datetime.date, communities=None) -> int:
    """Every current resident tagged living alone (of `communities`, a queryset; None: all) has a
    check on `date` and its task on the list. Returns how many checks were offered now: offering
    again, or twice at once, offers nothing more. A few queries whatever the number of residents."""
    alone = ResidentTag.objects.filter(tag=Tag.ALONE)
    if communities is not None:
        alone = alone.filter(community__in=communities)
    # At home or quarantined there: one in hospital or away has nobody to open the door.
    present = Resident.objects.filter(presence__in=[Presence.HOME, Presence.QUARANTINE])
    residents = present.filter(pk__in=alone.values("resident_id")).order_by("pk")
    rows = list(
        residents.annotate(compound=compound_shown()).values(
            "pk",
            "name",
            "building_id",
            "community_id",
            "building__number",
            "household__unit",
            "household__room",
            "compound",
        )
    )
    # In the residents' order, as every writer does: two at once wait for each other, never deadlock.
    checks = [
        WelfareCheck(resident_id=r["pk"], building_id=r["building_id"], community_id=r["community_id"], date=date)
        for r in rows
    ]
    _withdraw_earlier(date, communities)
    WelfareCheck.objects.bulk_create(checks, batch_size=BATCH, ignore_conflicts=True)
    unlinked = WelfareCheck.objects.filter(date=date, task__isnull=True, resident_id__in=[r["pk"] for r in rows])
    check_ids = dict(unlinked.values_list("resident_id", "pk"))
    if not check_ids:
        return 0
    due_at = _due_at(date, timezone.now())
    with translation.override(settings.LANGUAGE_CODE):  # kept on the task: the site's language, whoever offers
        offers = [
            Offer(
                source_key=source_key(date, r["pk"]),
                title=_("Welfare check: %(name)s") % {"name": r["name"]},
                building_id=r["building_id"],
                place=room_label(r["building__number"], r["household__unit"], r["household__room"], r["compound"]),
                due_at=due_at,
                link=reverse("volunteers:welfare_check", args=[check_ids[r["pk"]]]),
            )
            for r in rows
            if r["pk"] in check_ids
        ]
    task_list.tasks_offer(kind=KIND, offers=offers)
    key = Concat(Value(f"{date}:"), Cast(OuterRef("resident_id"), CharField()))
    task = Task.objects.filter(kind=KIND, source_key=key).values("pk")[:1]
    WelfareCheck.objects.filter(pk__in=check_ids.values(), task__isnull=True).update(task=Subquery(task))
    return len(check_ids)


def _due_at(date, now):
    """When the checks of `date` offered at `now` are due: by noon, unless staff offered them (or
    the register tagged someone) later in the day, when a check due at once would be late at once."""
    zone = timezone.get_default_timezone()
    noon = timezone.make_aware(datetime.datetime.combine(date, DUE), zone)
    last = timezone.make_aware(datetime.datetime.combine(date, datetime.time(23, 59)), zone)
    return max(noon, min(now + GRACE, last))


def _withdraw_earlier(date, communities):
    """Checks of earlier days nobody did leave the volunteers' list (today's check replaces them);
    staff still find them on that day's page, not done."""
    start = timezone.make_aware(datetime.datetime.combine(date, datetime.time()), timezone.get_default_timezone())
    earlier = Task.objects.filter(kind=KIND, due_at__lt=start)
    if communities is not None:
        earlier = earlier.filter(building__community__in=communities)
    with translation.override(settings.LANGUAGE_CODE):
        task_list.tasks_cancel(earlier, why=_("Not done that day: the next day's check replaces it."))


def welfare_check_record(*, actor, check: WelfareCheck, outcome: str, note: str = "") -> WelfareCheck:
    """What the volunteer found: the check's outcome, note, who and when, and its task done, in one
    transaction. The volunteer takes the task first if it is still open; of two recording at once
    one wins and the other is told who (the task's transitions: TransitionLost, NotPermitted)."""
    note = note.strip()
    if outcome not in Outcome.values:
        raise ServiceError(_("Choose what you found: seen well, needs something or no answer."), field="outcome")
    if outcome == Outcome.NEEDS and not note:
        raise ServiceError(_("Say what the resident needs: the staff read it."), field="note")
    if len(note) > NOTE_MAX:
        raise ServiceError(_("At most %(limit)d characters fit in the note.") % {"limit": NOTE_MAX}, field="note")
    if check.task_id is None:
        raise ServiceError(_("This check is not on the task list: ask the staff to offer today's checks again."))
    if not AreaScope.for_user(actor).filter(WelfareCheck.objects.filter(pk=check.pk)).exists():
        raise NotPermitted(_("This check is not in your buildings."))
    with transaction.atomic():
        WelfareCheck.objects.select_for_update().filter(pk=check.pk).values("pk").get()  # one recording at a time
        recorded = WelfareCheck.objects.select_related("checked_by").get(pk=check.pk)
        if recorded.outcome:
            if recorded.checked_by_id == actor.pk and recorded.outcome == outcome:
                return recorded  # the same tap twice
            at = timezone.localtime(recorded.checked_at).strftime("%H:%M")
            values = {"who": recorded.checked_by, "outcome": recorded.get_outcome_display(), "at": at}
            message = _("%(who)s recorded “%(outcome)s” at %(at)s: nothing of yours was saved.") % values
            raise TransitionLost(message, state=recorded.outcome)
        task = Task.objects.select_related("building__community", "claimed_by").get(pk=check.task_id)
        if task.state == Task.State.OPEN:
            task = task_list.task_claim(actor=actor, task=task)
        elif (
            task.state == Task.State.CLAIMED and task.claimed_by_id != actor.pk and not task_list.oversees(actor, task)
        ):
            # A leader or staff may record the check of a volunteer who took it and went; a
            # volunteer may not record another's.
            raise NotPermitted(_("%(who)s has taken this check.") % {"who": task.claimed_by})
        if task.state in UNFINISHED:  # a check of an earlier day, withdrawn, is still recorded late
            task_list.task_done(task=task, by=actor, why=str(Outcome(outcome).label))
        now = timezone.now()
        WelfareCheck.objects.filter(pk=check.pk).update(outcome=outcome, note=note, checked_by=actor, checked_at=now)
    check.outcome, check.note, check.checked_by, check.checked_at = outcome, note, actor, now
    return check


def welfare_check_handle(*, actor, check: WelfareCheck) -> WelfareCheck:
    """Staff have seen to an alert (a call, a visit): it leaves the staff's banner. Of two staff at
    once, one marks it and the other is told who did."""
    if not AreaScope.for_user(actor).may_edit_community(check.community):
        raise NotPermitted(_("Only the committee's staff mark an alert handled."))
    if check.outcome not in ALERTS:
        raise ServiceError(_("Only a check that needs something or had no answer is marked handled."))
    now = timezone.now()
    if not WelfareCheck.objects.filter(pk=check.pk, handled_at__isnull=True).update(handled_by=actor, handled_at=now):
        before = WelfareCheck.objects.select_related("handled_by").get(pk=check.pk)
        at = timezone.localtime(before.handled_at).strftime("%m-%d %H:%M")
        raise ServiceError(
            _("%(who)s marked this handled at %(at)s, before you.") % {"who": before.handled_by, "at": at}
        )
    check.handled_by, check.handled_at = actor, now
    return check


def welfare_checks_follow_resident(resident: Resident):
    """A resident who moves takes their checks not yet done along (households.follow_resident_moves,
    in apps.py), and their tasks: the new building's volunteers see them, the old's no more."""
    pending = WelfareCheck.objects.filter(resident=resident, outcome="")
    if not pending.update(building_id=resident.building_id, community_id=resident.community_id):
        return
    room = Resident.objects.filter(pk=resident.pk).annotate(compound=compound_shown())
    number, unit, door, compound = room.values_list(
        "building__number", "household__unit", "household__room", "compound"
    )[0]
    place = room_label(number, unit, door, compound)
    for task in Task.objects.filter(welfare_check__in=pending):
        task_list.task_relocate(task=task, building_id=resident.building_id, place=place, why=_("The resident moved."))
