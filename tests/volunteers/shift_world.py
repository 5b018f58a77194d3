"""Shifts for the tests: a group's templates stamped into a roster, days far enough ahead that the
evening's cut-off has not passed whenever the tests run, and the clock of a cut-off."""

import datetime

from django.utils import timezone

from households.models import Role
from tests.households.factories import user_with_role
from volunteers import groups, rosters
from volunteers.models import CompoundSettings
from volunteers.rosters import local_zone


def days_ahead(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def group(world, name="物资配送", **rules):
    return groups.group_save(community=world.community, name=name, **rules)


def template(world, work, name="上午配送", starts=(7, 0), ends=(11, 0), places=20, compound=None, **fields):
    return rosters.template_save(
        group=work,
        compound=compound or world.building.compound,
        name=name,
        starts=datetime.time(*starts),
        ends=datetime.time(*ends),
        places=places,
        meeting_point=fields.pop("meeting_point", "居委会门口"),
        **fields,
    )


def roster_of(world, *templates, date=None):
    """The compound's roster of `date` (two days ahead by default: sign-up open), stamped, with its
    shifts in the templates' order."""
    roster, _new = rosters.roster_stamp(compound=world.building.compound, date=date or days_ahead(2))
    by_template = {shift.template_id: shift for shift in roster.shifts.all()}
    return roster, [by_template[t.pk] for t in templates]


def one_shift(world, places=20, **rules):
    work = group(world, **rules)
    _roster, (shift,) = roster_of(world, template(world, work, places=places))
    return shift


def cut_off(roster, hour=20, minute=0):
    """The evening before the roster's day at hour:minute, in the committees' time zone."""
    return datetime.datetime.combine(
        roster.date - datetime.timedelta(days=1), datetime.time(hour, minute), local_zone()
    )


def set_cut_off(compound, hour, minute=0):
    CompoundSettings.objects.update_or_create(
        compound=compound,
        defaults={"join_token": f"token-{compound.pk}", "signup_closes_at": datetime.time(hour, minute)},
    )


def outsiders(world, *more):
    """The accounts no staff page of the community opens for: a volunteer, the building's and the
    zone's leaders, another community's staff (and `more`)."""
    other_staff = user_with_role(Role.COMMITTEE_STAFF, world.other_community)
    return [
        *more,
        *(world.users[role] for role in (Role.VOLUNTEER, Role.BUILDING_LEADER, Role.ZONE_LEADER)),
        other_staff,
    ]
