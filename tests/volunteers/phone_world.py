"""Volunteers for the phone's tests, made directly (approved, with an account and their buildings),
and residents living alone to check on."""

from households.models import Tag
from tests.households.factories import HouseholdFactory, ResidentFactory, ResidentTagFactory
from tests.volunteers.factories import approved_volunteer


def make_volunteer(world, buildings, *, name="王小明", username=None):
    """An approved volunteer with an account, covering `buildings`."""
    user = {"user__username": username} if username else {}
    return approved_volunteer(buildings[0], buildings=buildings, name=name, **user)


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
