"""Next-day sign-up (接龙): every rule of who takes a place on a shift, in one place.

A volunteer signs up until the compound's cut-off on the evening before (or until staff close the
roster); a full shift puts them on its waiting list, and a place given back moves the first one
waiting up at once, with an SMS. Nobody holds or waits for two shifts that overlap; a shift's age
limit and skills hold for everyone, staff's moves too. Each refusal is a ServiceError saying why.

Concurrency: every write locks the volunteer's row, then the shift's (select_for_update, always in
that order, shifts in pk order): two sign-ups of one volunteer wait for each other, so no overlap
slips in; sign-ups for one shift wait for each other, so its places are never over-filled.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Func, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from lockdown.core.errors import NotPermitted, ServiceError

from . import notices
from .choices import Skill
from .models import CompoundSettings, Notice, Roster, Shift, Signup, Volunteer
from .rosters import local_zone

State = Signup.State
OPEN_STATES = (State.HOLDING, State.WAITING)
DEFAULT_CUT_OFF = datetime.time(20, 0)


def cut_off_of(compound) -> datetime.time:
    """The compound's evening cut-off (DEFAULT_CUT_OFF until staff set one)."""
    cut_off = CompoundSettings.objects.filter(compound_id=getattr(compound, "pk", compound))
    return cut_off.values_list("signup_closes_at", flat=True).first() or DEFAULT_CUT_OFF


def closes_at(roster: Roster, cut_off: datetime.time | None = None) -> datetime.datetime:
    """When sign-up for the roster ends: the compound's cut-off (`cut_off`, when the caller has read
    it already) on the evening before, or when staff closed it, whichever came first."""
    evening = datetime.datetime.combine(
        roster.date - datetime.timedelta(days=1), cut_off or cut_off_of(roster.compound_id), tzinfo=local_zone()
    )
    return min(evening, roster.closed_at) if roster.closed_at else evening


def when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


def shift_label(shift: Shift) -> str:
    """A shift as a refusal names it: 物资配送 06-02 07:00-11:00."""
    return f"{shift.name} {when(shift.starts_at)}-{timezone.localtime(shift.ends_at):%H:%M}"


def limits_refusal(volunteer: Volunteer, shift: Shift, *, to_staff=False) -> str:
    """Why the shift's age limit or skills keep the volunteer out, or "" (the phone page shows it
    before anyone taps); said to the volunteer, or `to_staff` who move them, naming them."""

    def said(to_volunteer, about_them, **values):
        return (about_them if to_staff else to_volunteer) % {"name": volunteer.name, "age": volunteer.age, **values}

    if shift.max_age is not None and volunteer.age > shift.max_age:
        return said(
            _("This shift takes volunteers up to %(limit)s; you are %(age)s."),
            _("%(name)s is %(age)s: this shift takes volunteers up to %(limit)s."),
            limit=shift.max_age,
        )
    if shift.min_age is not None and volunteer.age < shift.min_age:
        return said(
            _("This shift takes volunteers from %(limit)s; you are %(age)s."),
            _("%(name)s is %(age)s: this shift takes volunteers from %(limit)s."),
            limit=shift.min_age,
        )
    missing = "、".join(str(Skill(skill).label) for skill in shift.skills if skill not in volunteer.skills)
    if missing:
        return said(
            _("This shift needs %(skills)s, which you have not registered."),
            _("This shift needs %(skills)s, which %(name)s has not registered."),
            skills=missing,
        )
    return ""


def position_in_line():
    """An annotation of a sign-up: its place on its shift's waiting list (1 is next), counting those
    who signed up before it; None when it is not waiting."""
    ahead = Signup.objects.filter(shift_id=OuterRef("shift_id"), state=State.WAITING).filter(
        Q(signed_up_at__lt=OuterRef("signed_up_at")) | Q(signed_up_at=OuterRef("signed_up_at"), pk__lte=OuterRef("pk"))
    )
    count = ahead.annotate(n=Func("pk", function="COUNT")).values("n")
    return Subquery(count.order_by()[:1])


def position_of(signup: Signup) -> int | None:
    if signup.state != State.WAITING:
        return None
    return (
        Signup.objects.filter(pk=signup.pk).annotate(position=position_in_line()).values_list("position", flat=True)[0]
    )


def _lock(volunteer_pk, *shift_pks):
    """The volunteer's row, then the shifts' rows (in pk order), locked until the transaction ends."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_pk)
    locked = {shift.pk: shift for shift in Shift.objects.select_for_update().filter(pk__in=shift_pks).order_by("pk")}
    return volunteer, [locked[pk] for pk in shift_pks]


def _require_open(roster, now):
    closed = closes_at(roster)
    if now >= closed:
        raise ServiceError(
            _("Sign-up for %(date)s closed at %(time)s.") % {"date": f"{roster.date:%m-%d}", "time": when(closed)}
        )


def _overlap(volunteer, shift, leaving=None, to_staff=False) -> str:
    """Which of the volunteer's other shifts (holding or waiting) overlaps `shift`, in words, or ""."""
    others = Signup.objects.filter(volunteer=volunteer, state__in=OPEN_STATES).exclude(shift=shift)
    if leaving is not None:
        others = others.exclude(pk=leaving.pk)
    clash = (
        others.filter(shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
        .select_related("shift")
        .first()
    )
    if clash is None:
        return ""
    if to_staff:
        message = _("%(name)s is on %(shift)s at that time already: take them off it first.")
        return message % {"name": volunteer.name, "shift": shift_label(clash.shift)}
    return overlap_refusal(clash.shift)


def overlap_refusal(other: Shift) -> str:
    return _("This shift overlaps %(shift)s, signed up for already; give that one up first.") % {
        "shift": shift_label(other)
    }


def _already(volunteer, shift):
    mine = Signup.objects.filter(volunteer=volunteer, shift=shift, state__in=OPEN_STATES).first()
    if mine is None:
        return
    if mine.state == State.HOLDING:
        raise ServiceError(_("You already have a place on %(shift)s.") % {"shift": shift_label(shift)})
    raise ServiceError(
        _("You are already on the waiting list of %(shift)s, number %(position)s in line.")
        % {"shift": shift_label(shift), "position": position_of(mine)}
    )


@dataclass(frozen=True)
class Placed:
    signup: Signup
    position: int | None  # on the waiting list, 1 being next; None when holding a place


def signup_create(*, volunteer: Volunteer, shift: Shift, now=None) -> Placed:
    """The volunteer on the shift: holding a place, or on its waiting list when it is full."""
    now = now or timezone.now()
    with transaction.atomic():
        volunteer, (shift,) = _lock(volunteer.pk, shift.pk)
        if volunteer.status != Volunteer.Status.APPROVED:
            raise NotPermitted(_("Only approved volunteers sign up for shifts."))
        roster = Roster.objects.get(pk=shift.roster_id)  # read after the lock: a close committed meanwhile counts
        if roster.community_id != volunteer.community_id:
            raise NotPermitted(_("This shift is another community's."))
        _already(volunteer, shift)
        _require_open(roster, now)
        if refusal := limits_refusal(volunteer, shift) or _overlap(volunteer, shift):
            raise ServiceError(refusal)
        holding = Signup.objects.filter(shift=shift, state=State.HOLDING).count()
        state = State.HOLDING if holding < shift.places else State.WAITING
        signup = Signup.objects.create(shift=shift, volunteer=volunteer, state=state)
        return Placed(signup, position_of(signup))


def signup_cancel(*, signup: Signup, by_staff=False, now=None) -> Signup | None:
    """Give the place (or the place in line) back. A place given back goes at once to the first one
    waiting, who is sent an SMS; returns their sign-up, or None. A volunteer cancels until sign-up
    closes; staff take anyone off who has not checked in."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(signup.volunteer_id, signup.shift_id)
        signup = Signup.objects.get(pk=signup.pk)
        if signup.state == State.CANCELLED:
            raise ServiceError(_("This sign-up is already cancelled."))
        if signup.checked_in_at:
            raise ServiceError(_("%(name)s has checked in already.") % {"name": signup.volunteer.name})
        if not by_staff:
            _require_open(Roster.objects.get(pk=signup.shift.roster_id), now)
        was_holding = signup.state == State.HOLDING
        Signup.objects.filter(pk=signup.pk).update(state=State.CANCELLED, cancelled_at=now)
        return _move_up(signup.shift) if was_holding else None


def _move_up(shift: Shift) -> Signup | None:
    """The first one waiting takes the free place (the shift's row is locked by the caller), and
    their SMS is queued in the same transaction."""
    holding = Signup.objects.filter(shift=shift, state=State.HOLDING).count()
    if holding >= shift.places:
        return None  # staff had put someone over its places
    first = (
        Signup.objects.filter(shift=shift, state=State.WAITING)
        .select_related("volunteer")
        .order_by("signed_up_at", "pk")
    ).first()
    if first is None:
        return None
    Signup.objects.filter(pk=first.pk, state=State.WAITING).update(state=State.HOLDING)
    first.state = State.HOLDING
    notices.notices_queue(
        [
            Notice(
                community_id=first.volunteer.community_id,
                key=f"moved_up:{first.pk}",
                kind=Notice.Kind.MOVED_UP,
                phone=first.volunteer.mobile,
                params=notices.shift_params(first.volunteer, shift),
            )
        ]
    )
    return first


@dataclass(frozen=True)
class Moved:
    signup: Signup  # the volunteer's sign-up on the new shift
    over_places: bool  # staff put them on a shift already full
    moved_up: Signup | None  # who took the place they left


def signup_move(*, signup: Signup, to_shift: Shift, over_places=False) -> Moved:
    """Staff move a volunteer to another shift of the same roster, holding a place there. A full
    shift takes them only when staff say so (`over_places`); the shift's age limit and skills, and
    overlaps with the volunteer's other shifts, still hold."""
    with transaction.atomic():
        first, second = sorted([signup.shift_id, to_shift.pk])
        volunteer, _shifts = _lock(signup.volunteer_id, *dict.fromkeys([first, second]))
        signup = Signup.objects.select_related("shift").get(pk=signup.pk)
        to_shift = Shift.objects.get(pk=to_shift.pk)
        if signup.state == State.CANCELLED:
            raise ServiceError(_("This sign-up is cancelled."))
        if to_shift.roster_id != signup.shift.roster_id:
            raise ServiceError(_("Move volunteers between shifts of one roster."), field="shift")
        if to_shift.pk == signup.shift_id:
            raise ServiceError(_("%(name)s is on this shift already.") % {"name": volunteer.name}, field="shift")
        if signup.checked_in_at:
            raise ServiceError(_("%(name)s has checked in already.") % {"name": volunteer.name})
        if Signup.objects.filter(volunteer=volunteer, shift=to_shift, state__in=OPEN_STATES).exists():
            raise ServiceError(
                _("%(name)s is on %(shift)s already.") % {"name": volunteer.name, "shift": shift_label(to_shift)},
                field="shift",
            )
        refusal = limits_refusal(volunteer, to_shift, to_staff=True)
        if refusal := refusal or _overlap(volunteer, to_shift, leaving=signup, to_staff=True):
            raise ServiceError(refusal, field="shift")
        holding = Signup.objects.filter(shift=to_shift, state=State.HOLDING).count()
        full = holding >= to_shift.places
        if full and not over_places:
            raise ServiceError(
                _("%(shift)s is full (%(holding)s of %(places)s): tick “over its places” to put %(name)s on it anyway.")
                % {
                    "shift": shift_label(to_shift),
                    "holding": holding,
                    "places": to_shift.places,
                    "name": volunteer.name,
                },
                field="over_places",
            )
        was_holding = signup.state == State.HOLDING
        Signup.objects.filter(pk=signup.pk).update(state=State.CANCELLED, cancelled_at=timezone.now())
        moved = Signup.objects.create(shift=to_shift, volunteer=volunteer, state=State.HOLDING)
        return Moved(moved, full, _move_up(signup.shift) if was_holding else None)
