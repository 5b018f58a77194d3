"""Groups of work and their members, and the building pairs (老带新). Who covers a building is
volunteers.coverage's."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from households.models import Role, RoleAssignment
from lockdown.core.errors import ServiceError

from .choices import Skill
from .models import BuildingPair, Group, Membership, Volunteer


def group_save(*, community, name, min_age=None, max_age=None, skills=(), group: Group | None = None) -> Group:
    """A new group of the community, or `group` with these rules."""
    name = name.strip()
    if not name:
        raise ServiceError(_("A group needs a name."), field="name")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ServiceError(_("The youngest age is above the oldest."), field="max_age")
    unknown = sorted(set(skills) - set(Skill.values))
    if unknown:
        raise ServiceError(_("Unknown skills: %(skills)s.") % {"skills": ", ".join(unknown)}, field="skills")
    group = group or Group(community=community)
    group.name, group.min_age, group.max_age, group.skills = name, min_age, max_age, list(skills)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ServiceError(
            _("The community already has a group named %(name)s.") % {"name": name}, field="name"
        ) from None
    return group


def fits(group, volunteer: Volunteer) -> list[str]:
    """What keeps `volunteer` out of `group`'s work (its age limits and skills), in words; [] when
    nothing does. `group` is a Group or a Shift: both carry the limits."""
    reasons = []
    if group.max_age is not None and volunteer.age > group.max_age:
        reasons.append(_("older than %(age)s") % {"age": group.max_age})
    if group.min_age is not None and volunteer.age < group.min_age:
        reasons.append(_("younger than %(age)s") % {"age": group.min_age})
    missing = [Skill(skill).label for skill in group.skills if skill not in volunteer.skills]
    if missing:
        reasons.append(_("needs: %(skills)s") % {"skills": "、".join(str(label) for label in missing)})
    return reasons


@transaction.atomic
def members_add(group: Group, volunteers) -> int:
    """Add approved volunteers of the group's community; returns how many were not in it yet. A
    volunteer whose age or skills the group's work does not take is refused, with why."""
    volunteers = list(volunteers)
    for volunteer in volunteers:
        if volunteer.community_id != group.community_id or volunteer.status != Volunteer.Status.APPROVED:
            raise ServiceError(_("Only approved volunteers of the community join its groups."))
        reasons = fits(group, volunteer)
        if reasons:
            raise ServiceError(
                _("%(name)s cannot join %(group)s: %(reasons)s.")
                % {"name": volunteer.name, "group": group.name, "reasons": "; ".join(reasons)}
            )
    already = set(Membership.objects.filter(group=group).values_list("volunteer_id", flat=True))
    added = [Membership(group=group, volunteer=v) for v in volunteers if v.pk not in already]
    Membership.objects.bulk_create(added, ignore_conflicts=True)  # one added by someone else meanwhile
    return len(added)


def member_remove(group: Group, volunteer: Volunteer) -> None:
    Membership.objects.filter(group=group, volunteer=volunteer).delete()


def member_lead(group: Group, volunteer: Volunteer, leader: bool) -> None:
    """Make the member a leader of the group, or no longer one. A group may have several."""
    if not Membership.objects.filter(group=group, volunteer=volunteer).update(leader=leader):
        raise ServiceError(_("%(name)s is not in this group.") % {"name": volunteer.name})


@transaction.atomic
def pair_make(*, building, leader, volunteer: Volunteer) -> BuildingPair:
    """Pair a leader of the building with a volunteer who covers it. A volunteer is in one pair per
    building; making another pair for them replaces it."""
    if not RoleAssignment.objects.filter(user=leader, role=Role.BUILDING_LEADER, building=building).exists():
        raise ServiceError(_("%(name)s is not a leader of this building.") % {"name": leader}, field="leader")
    if volunteer.user_id == leader.pk:
        message = _("%(name)s is this building's leader: pair them with another volunteer.")
        raise ServiceError(message % {"name": volunteer.name}, field="volunteer")
    covers = RoleAssignment.objects.filter(user_id=volunteer.user_id, role=Role.VOLUNTEER, building=building)
    if volunteer.user_id is None or not covers.exists():
        raise ServiceError(_("%(name)s does not cover this building.") % {"name": volunteer.name}, field="volunteer")
    pair, _created = BuildingPair.objects.update_or_create(
        building=building, volunteer=volunteer, defaults={"leader": leader}
    )
    return pair


def pair_end(pair: BuildingPair) -> None:
    pair.delete()
