"""Volunteers for the phone's tests, made directly (approved, with an account and their buildings),
and residents living alone to check on."""

import itertools

from households.models import Tag
from tests.households.factories import HouseholdFactory, ResidentFactory, ResidentTagFactory, UserFactory
from volunteers.coverage import cover
from volunteers.models import Volunteer

_mobiles = itertools.count(13700000000)


def make_volunteer(world, buildings, *, name="王小明", username=None, community=None):
    """An approved volunteer with an account, covering `buildings`."""
    community = community or buildings[0].community
    user = UserFactory(username=username or f"v{next(_mobiles)}", display_name=name)
    volunteer = Volunteer.objects.create(
        community=community,
        compound=buildings[0].compound,
        name=name,
        mobile=str(next(_mobiles)),
        age=30,
        status=Volunteer.Status.APPROVED,
        user=user,
    )
    cover(volunteer, buildings)
    return volunteer


def living_alone(building, count=1, *, start=0, name="孙"):
    """`count` residents tagged elderly living alone (and 80+), a room each, in `building`."""
    residents = []
    for n in range(start, start + count):
        household = HouseholdFactory(building=building, unit="2", room=str(201 + n))
        resident = ResidentFactory(household=household, name=f"{name}{n}")
        ResidentTagFactory(resident=resident, tag=Tag.ALONE)
        ResidentTagFactory(resident=resident, tag=Tag.AGED_80)
        residents.append(resident)
    return residents
