"""Shift templates and the rosters stamped out of them: a compound's shifts of one day, which staff
watch fill, close, publish and send by SMS. Who takes a place on a shift is volunteers.signups'."""

import datetime
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Compound
from lockdown.core.errors import ServiceError

from . import notices
from .models import CompoundSettings, Notice, Roster, Shift, ShiftTemplate, Signup
from .registration import join_settings


def local_zone():
    """The committees' clock (settings.TIME_ZONE): shift times are read and written in it."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def shift_times(day: datetime.date, starts: datetime.time, ends: datetime.time):
    """The start and end of a shift on `day`, aware; an end before the start is the next morning."""
    zone = local_zone()
    end_day = day + datetime.timedelta(days=1) if ends <= starts else day
    return datetime.datetime.combine(day, starts, tzinfo=zone), datetime.datetime.combine(end_day, ends, tzinfo=zone)


def template_save(
    *, group, compound, name, starts, ends, places, meeting_point="", active=True, template=None
) -> ShiftTemplate:
    """A new shift template of a group, or `template` with these values."""
    name = name.strip()
    if not name:
        raise ServiceError(_("A shift needs a name."), field="name")
    if group.community_id != compound.community_id:
        raise ServiceError(_("The group and the compound must be of one community."), field="group")
    if starts == ends:
        raise ServiceError(_("A shift cannot end when it starts."), field="ends")
    if places < 1:
        raise ServiceError(_("A shift needs at least one place."), field="places")
    template = template or ShiftTemplate()
    template.group, template.compound, template.name = group, compound, name
    template.starts, template.ends, template.places = starts, ends, places
    template.meeting_point, template.active = meeting_point.strip(), active
    template.save()
    return template


def cut_off_set(*, compound: Compound, closes_at: datetime.time) -> CompoundSettings:
    """The compound's evening cut-off for tomorrow's sign-up (接龙) from now on, open rosters too."""
    place = join_settings(compound)
    place.signup_closes_at = closes_at
    place.save(update_fields=["signup_closes_at"])
    return place


@transaction.atomic
def roster_stamp(*, compound: Compound, date: datetime.date) -> tuple[Roster, int]:
    """The compound's roster of `date`, with one shift for each template in use; returns it and how
    many shifts were new. Stamping twice, or twice at once, makes each shift once (the constraint
    shift_one_per_template), so a new template's shift is added to a roster already stamped. Refused,
    making no empty roster, while the compound has no template in use."""
    templates = list(ShiftTemplate.objects.filter(compound=compound, active=True).select_related("group"))
    if not templates:
        raise ServiceError(_("%(compound)s has no shift template in use: add one first.") % {"compound": compound})
    roster, _created = Roster.objects.get_or_create(
        compound=compound, date=date, defaults={"community_id": compound.community_id}
    )
    have = set(roster.shifts.values_list("template_id", flat=True))
    new = [_shift_of(roster, template) for template in templates if template.pk not in have]
    Shift.objects.bulk_create(new, ignore_conflicts=True)  # stamped by someone else meanwhile
    return roster, len(new)


def _shift_of(roster, template) -> Shift:
    starts_at, ends_at = shift_times(roster.date, template.starts, template.ends)
    group = template.group
    return Shift(
        roster=roster,
        group=group,
        template=template,
        name=template.name,
        starts_at=starts_at,
        ends_at=ends_at,
        places=template.places,
        meeting_point=template.meeting_point,
        # The group's rules as they stand today: a later change leaves tomorrow's shifts as signed up for.
        min_age=group.min_age,
        max_age=group.max_age,
        skills=list(group.skills),
    )


def stamp_tomorrow_everywhere(today: datetime.date | None = None) -> int:
    """Tomorrow's roster of every compound with a template in use; returns how many shifts were new."""
    tomorrow = (today or timezone.localdate()) + datetime.timedelta(days=1)
    compounds = Compound.objects.filter(pk__in=ShiftTemplate.objects.filter(active=True).values("compound_id"))
    return sum(roster_stamp(compound=compound, date=tomorrow)[1] for compound in compounds.order_by("pk"))


def _lock_shifts(roster):
    """Wait for every sign-up under way on the roster (each holds its shift's row) before changing
    it, so that none slips in after the roster closed."""
    list(Shift.objects.select_for_update().filter(roster=roster).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def roster_close(*, roster: Roster) -> Roster:
    """No more sign-ups; staff still move people and check them in."""
    _lock_shifts(roster)
    if Roster.objects.filter(pk=roster.pk, closed_at__isnull=True).update(closed_at=timezone.now()) == 0:
        raise ServiceError(_("This roster is already closed."))
    return Roster.objects.get(pk=roster.pk)


@transaction.atomic
def roster_publish(*, roster: Roster, by) -> Roster:
    """Each volunteer now sees their shift on the phone; publishing closes the sign-up too."""
    _lock_shifts(roster)
    now = timezone.now()
    current = Roster.objects.get(pk=roster.pk)
    if current.published_at:
        raise ServiceError(
            _("This roster was published at %(time)s.") % {"time": f"{timezone.localtime(current.published_at):%H:%M}"}
        )
    current.published_at, current.published_by, current.closed_at = now, by, current.closed_at or now
    current.save(update_fields=["published_at", "published_by", "closed_at"])
    return current


def roster_sends(roster: Roster) -> int:
    """How many times staff have sent the roster by SMS (the `n` of the latest roster notice's key)."""
    latest = (
        Notice.objects.filter(key__startswith=f"roster:{roster.pk}:")
        .order_by("-created_at", "-pk")
        .values("key")
        .first()
    )
    return int(latest["key"].rsplit(":", 1)[1]) if latest else 0


@transaction.atomic
def roster_notify(*, roster: Roster, send: int) -> int:
    """Queue an SMS to each volunteer holding a place on the roster, as staff's `send`-th sending of
    it (the page says which it offers): the same `send` twice (a double click) queues nothing more.
    Returns how many were queued."""
    if send < 1:
        raise ServiceError(_("Reload the page and send again."))
    holders = Signup.objects.filter(shift__roster=roster, state=Signup.State.HOLDING).select_related(
        "shift", "volunteer"
    )
    shifts_of = defaultdict(list)  # one text a volunteer, naming each shift they hold
    for signup in holders.order_by("shift__starts_at", "pk"):
        shifts_of[signup.volunteer].append(signup.shift)
    rows = [
        Notice(
            community_id=roster.community_id,
            key=f"roster:{roster.pk}:{volunteer.pk}:{send}",
            kind=Notice.Kind.ROSTER,
            phone=volunteer.mobile,
            params=notices.shift_params(volunteer, *shifts),
        )
        for volunteer, shifts in shifts_of.items()
    ]
    if not rows:
        raise ServiceError(_("Nobody holds a place on this roster yet."))
    return notices.notices_queue(rows)
