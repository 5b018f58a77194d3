"""Staff approve or decline the volunteers who registered, one by one or many at once.

Approval is one transaction: the status moves (a conditional UPDATE, so that of two staff approving
at once one does it and the other is told), the volunteer gets an account (their mobile number's
own, when one exists: a building leader who volunteers), and the volunteer role over the buildings
they cover (volunteers.coverage). They log in with a code sent to that number (phone_login).
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import AuditEvent
from households.scoping import AreaScope, Permissions
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost, state_label

from .choices import DayPart, Skill, labels
from .coverage import cover
from .groups import fits
from .models import Group, Volunteer
from .phone_login import PHONE_ROLES

Status = Volunteer.Status


@dataclass(frozen=True)
class VolunteerRow:
    """A volunteer as the approval pages show them: skills and free day parts named, the groups they
    fit, and their mobile number as the account's role reads it."""

    volunteer: Volunteer
    groups: list
    skills: str
    availability: str
    mobile: str
    may_reveal: bool


@dataclass
class Decided:
    """What a decision on many volunteers did: those decided, and those refused with why."""

    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (volunteer, message)


def volunteer_approve(*, actor, volunteer: Volunteer, buildings=()) -> Volunteer:
    """Approve the volunteer (waiting, or declined before), covering `buildings`, or their own
    building when none are given; refused when they have none, or someone decided first."""
    _require_staff(actor, volunteer)
    covered = list(buildings) or ([volunteer.building] if volunteer.building_id else [])
    if not covered:
        message = _("%(name)s gave no building of their own: choose at least one building for them to cover.")
        raise ServiceError(message % {"name": volunteer.name}, field="buildings")
    with transaction.atomic():
        _decide(actor, volunteer, (Status.PENDING, Status.DECLINED), Status.APPROVED)
        Volunteer.objects.filter(pk=volunteer.pk).update(user=_account_for(volunteer))
        volunteer.refresh_from_db()
        cover(volunteer, covered)
    return volunteer


def volunteer_decline(*, actor, volunteer: Volunteer, reason: str = "") -> Volunteer:
    """Decline a volunteer waiting for approval, with the reason staff give (or none)."""
    _require_staff(actor, volunteer)
    _decide(actor, volunteer, (Status.PENDING,), Status.DECLINED, reason=reason)
    volunteer.refresh_from_db()
    return volunteer


def volunteers_approve(*, actor, volunteers, buildings=()) -> Decided:
    """Approve each of `volunteers`: each covers their own building, and those who gave none cover
    `buildings`. Refused as a whole, changing nothing, when some gave none and none are given."""
    volunteers = list(volunteers)
    if not buildings:
        lacking = [v.name for v in volunteers if v.building_id is None and v.status != Status.APPROVED]
        if lacking:
            message = _(
                "%(names)s gave no building of their own: choose the buildings they cover below, or "
                "approve them one by one."
            )
            raise ServiceError(message % {"names": "、".join(lacking)}, field="buildings")

    def approve(volunteer):
        covered = () if volunteer.building_id else buildings
        return volunteer_approve(actor=actor, volunteer=volunteer, buildings=covered)

    return _each(volunteers, approve)


def volunteers_decline(*, actor, volunteers, reason: str = "") -> Decided:
    return _each(volunteers, lambda volunteer: volunteer_decline(actor=actor, volunteer=volunteer, reason=reason))


def volunteer_reveal_mobile(*, actor, volunteer: Volunteer, ip_address=None) -> str:
    """The volunteer's mobile number in full, for a role that may see it; the look is recorded."""
    if not mobile_permissions(AreaScope.for_user(actor), volunteer).reveal_phone:
        raise NotPermitted(_("Your role may not see this number."))
    AuditEvent.objects.create(
        actor=actor,
        action=AuditEvent.Action.REVEAL_PHONE,
        resident=volunteer.resident,
        detail={"volunteer": volunteer.pk},
        ip_address=ip_address,
    )
    return volunteer.mobile


# Reads for the approval pages ---------------------------------------------------------------------


def volunteer_list(scope, *, status="", community_id=None):
    """The volunteers in the account's communities, those waiting for approval first, newest first."""
    volunteers = scope.filter(
        Volunteer.objects.select_related("community", "compound", "building", "resident", "decided_by")
    )
    if status:
        volunteers = volunteers.filter(status=status)
    if community_id:
        volunteers = volunteers.filter(community_id=community_id)
    waiting_first = Case(When(status=Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField())
    return volunteers.order_by(waiting_first, "-registered_at", "-id")


def volunteer_rows(scope, volunteers, groups) -> list[VolunteerRow]:
    """Each of `volunteers` as a row, with the groups of `groups` they fit; no query."""
    rows = []
    for volunteer in volunteers:
        permissions = mobile_permissions(scope, volunteer)
        rows.append(
            VolunteerRow(
                volunteer=volunteer,
                groups=fitting_groups(volunteer, groups),
                skills=labels(Skill, volunteer.skills),
                availability=labels(DayPart, volunteer.availability),
                mobile=permissions.read("phone", volunteer.mobile),
                may_reveal=permissions.reveal_phone,
            )
        )
    return rows


def status_counts(scope, *, community_id=None) -> dict:
    """{status: how many volunteers} in the account's communities (or the one of them asked for)."""
    volunteers = volunteer_list(scope, community_id=community_id).order_by()
    return dict(volunteers.values_list("status").annotate(count=Count("id")))


def groups_of(community_ids) -> list[Group]:
    return list(Group.objects.filter(community_id__in=community_ids).order_by("community_id", "name"))


def fitting_groups(volunteer: Volunteer, groups) -> list[Group]:
    """The groups of the volunteer's community that they fit, of `groups`."""
    return [group for group in groups if group.community_id == volunteer.community_id and not fits(group, volunteer)]


def skills_needed(groups) -> dict:
    """{group id: the skills it needs, named}."""
    return {group.pk: labels(Skill, group.skills) for group in groups}


def mobile_permissions(scope, volunteer: Volunteer) -> Permissions:
    """How the account reads the volunteer's mobile number: as a resident's of their community."""
    return scope.permissions_of(None, volunteer.community_id, volunteer.community.street_id, None)


# ----------------------------------------------------------------------------------------------------


def _decide(actor, volunteer, from_states, to_state, *, reason=""):
    """Move the volunteer's status from one of `from_states` to `to_state`, or tell who did first."""
    moved = Volunteer.objects.filter(pk=volunteer.pk, status__in=from_states).update(
        status=to_state, decided_by=actor, decided_at=timezone.now(), decline_reason=reason
    )
    if moved != 1:
        now = Volunteer.objects.select_related("decided_by").get(pk=volunteer.pk)
        values = {"name": now.name, "state": state_label(Volunteer, "status", now.status)}
        if now.decided_by is None:
            message = _("%(name)s is “%(state)s”: nothing was changed.") % values
        else:
            at = timezone.localtime(now.decided_at).strftime("%m-%d %H:%M")
            message = _("%(who)s made %(name)s “%(state)s” at %(at)s, before you: nothing was changed.") % (
                values | {"who": now.decided_by, "at": at}
            )
        raise TransitionLost(message, state=now.status)


def _account_for(volunteer):
    """The account of the volunteer's mobile number, made for them if there is none: its username
    the number, no password (they log in with a code by SMS)."""
    User = get_user_model()
    account, _created = User.objects.get_or_create(
        mobile=volunteer.mobile,
        defaults={
            "username": _free_username(volunteer.mobile),
            "display_name": volunteer.name,
            "password": make_password(None),
        },
    )
    roles = set(account.role_assignments.values_list("role", flat=True))
    if not roles <= set(PHONE_ROLES):
        # The form is anonymous: a staff member's number typed on it must not make them a volunteer.
        raise ServiceError(
            _(
                "This mobile number is the account of a member of staff, who log in with a password: "
                "check the number with %(name)s, or decline this registration."
            )
            % {"name": volunteer.name}
        )
    other = Volunteer.objects.filter(user=account).exclude(pk=volunteer.pk).select_related("community").first()
    if other is not None:
        message = _("The account of this mobile number is already a volunteer of %(community)s.")
        raise ServiceError(message % {"community": other.community})
    return account


def _free_username(mobile):
    """The mobile number, or the number with a suffix where an account already has it as its name."""
    taken = set(get_user_model().objects.filter(username__startswith=mobile).values_list("username", flat=True))
    name, n = mobile, 1
    while name in taken:
        n += 1
        name = f"{mobile}-{n}"
    return name


def _each(volunteers, decide) -> Decided:
    decided = Decided()
    for volunteer in volunteers:
        try:
            decided.done.append(decide(volunteer))
        except ServiceError as error:
            decided.refused.append((volunteer, error.message))
    return decided


def _require_staff(actor, volunteer):
    if not AreaScope.for_user(actor).may_edit_community(volunteer.community):
        raise NotPermitted(_("Only the committee's staff approve or decline volunteers."))
