"""The morning at the gathering point: each volunteer holding a place is checked in (present),
trained today, given a protective suit, and checked out at the end; the hours follow from it
(volunteers.hours). Staff check anyone in; a group's leaders check in their group's shifts."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lockdown.core.errors import NotPermitted, ServiceError

from .models import Membership, Signup

State = Signup.State
# What a tap at the gathering point may record.
MARKS = ("present", "absent", "trained", "untrained", "suit", "no_suit", "out", "back_in")


def led_group_ids(user, community_id) -> set[int]:
    """The groups of the community whose leader the account's volunteer is."""
    led = Membership.objects.filter(volunteer__user_id=user.pk, leader=True, group__community_id=community_id)
    return set(led.values_list("group_id", flat=True))


def attendance_mark(*, signup: Signup, mark: str, now=None) -> Signup:
    """Record one tap on a volunteer of the day's shift; each is a conditional update, so two
    leaders tapping at once agree, and nothing is marked of someone not checked in. A shift of a
    day still to come takes no tap (nobody has gathered yet); a past day's does, to put it right."""
    now = now or timezone.now()
    if mark not in MARKS:
        raise ServiceError(_("Choose what to record."))
    day = signup.shift.roster.date
    if day > timezone.localdate(now):
        raise ServiceError(_("This shift is on %(date)s: check-in opens on its day.") % {"date": f"{day:%m-%d}"})
    held = Signup.objects.filter(pk=signup.pk, state=State.HOLDING)
    here = held.filter(checked_in_at__isnull=False)
    changes = {
        "present": (held.filter(checked_in_at__isnull=True), {"checked_in_at": now}),
        "absent": (
            here.filter(checked_out_at__isnull=True),
            {"checked_in_at": None, "trained": False, "suit_issued": False},
        ),
        "trained": (here, {"trained": True}),
        "untrained": (here, {"trained": False}),
        "suit": (here, {"suit_issued": True}),
        "no_suit": (here, {"suit_issued": False}),
        "out": (here.filter(checked_out_at__isnull=True), {"checked_out_at": now}),
        "back_in": (here, {"checked_out_at": None}),
    }
    rows, values = changes[mark]
    if not rows.update(**values):
        _explain(signup, mark)
    return Signup.objects.select_related("volunteer").get(pk=signup.pk)


def _explain(signup, mark):
    """Why a tap changed nothing: said only where the row is not already as asked."""
    current = Signup.objects.get(pk=signup.pk)
    if current.state != State.HOLDING:
        raise ServiceError(_("This volunteer no longer holds a place on the shift."))
    if mark == "absent" and current.checked_out_at:
        raise ServiceError(_("Checked out already: undo the check-out first."))
    if mark not in ("present", "absent") and not current.checked_in_at:
        raise ServiceError(_("Check the volunteer in first."))


def require_may_check_in(scope, user, shift):
    """Staff of the community (or the street above), or a leader of the shift's group."""
    community = shift.roster.community
    if scope.may_edit_community(community) or shift.group_id in led_group_ids(user, community.pk):
        return
    raise NotPermitted(_("Only staff and the group's leaders check volunteers in."))


def suits_issued(community_id, date: datetime.date) -> dict[int, int]:
    """{compound id: protective suits issued on `date`} for the community's compounds, in one query:
    suits are scarce, staff count them."""
    rows = (
        Signup.objects.filter(shift__roster__community_id=community_id, shift__roster__date=date, state=State.HOLDING)
        .values("shift__roster__compound_id")
        # One suit lasts a volunteer's day: marked on their morning and afternoon shifts, it is one.
        .annotate(suits=Count("volunteer", filter=Q(suit_issued=True), distinct=True))
        .order_by()
    )
    return {row["shift__roster__compound_id"]: row["suits"] for row in rows}
