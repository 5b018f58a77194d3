import factory

from households.models import Role
from tests.households.factories import UserFactory, user_with_role
from volunteers import coverage
from volunteers.models import Volunteer


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    name = factory.Sequence(lambda n: f"志愿者{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    age = 30


def approved_volunteer(building, *, buildings=None, user__username=None, **fields):
    """An approved volunteer of the building's community, with an account (named `user__username`
    if given) covering `buildings` (the building itself by default)."""
    named = {"username": user__username} if user__username else {}
    user = UserFactory(display_name=fields.get("name", ""), **named)
    volunteer = VolunteerFactory(
        community=building.community,
        compound=building.compound,
        status=Volunteer.Status.APPROVED,
        user=user,
        **fields,
    )
    if not fields.get("name"):
        user.display_name = volunteer.name
        user.save(update_fields=["display_name"])
    coverage.cover(volunteer, buildings if buildings is not None else [building])
    return volunteer


def building_leader(building, name):
    return user_with_role(Role.BUILDING_LEADER, building, display_name=name)
