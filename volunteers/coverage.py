"""Who covers which building (分区包干): an approved volunteer's account holds the volunteer role
over each building they cover, which is also what lets them see it. Nothing else records it.

Each change locks the volunteer's row first: two at once (two staff adding two buildings) would
otherwise each delete what the other adds."""

from django.db import transaction
from django.utils.translation import gettext as _

from households.models import Building, Role, RoleAssignment
from lockdown.core.errors import ServiceError

from .models import BuildingPair, Volunteer


@transaction.atomic
def cover(volunteer: Volunteer, buildings) -> None:
    """The volunteer covers exactly `buildings` (of their own community) from now on."""
    _lock(volunteer)
    _cover(volunteer, {building.pk for building in buildings})


@transaction.atomic
def cover_add(volunteer: Volunteer, building) -> None:
    _lock(volunteer)
    _cover(volunteer, covered_building_ids(volunteer) | {building.pk})


@transaction.atomic
def cover_remove(volunteer: Volunteer, building) -> None:
    """The volunteer no longer covers the building (nor works it in a pair). Refused for their last
    building when the account holds no other role: it could no longer log in on the phone."""
    _lock(volunteer)
    remaining = covered_building_ids(volunteer) - {building.pk}
    other_roles = RoleAssignment.objects.filter(user_id=volunteer.user_id).exclude(role=Role.VOLUNTEER)
    if not remaining and not other_roles.exists():
        message = _(
            "This is the only building %(name)s covers: give them another first. A volunteer covering "
            "none could no longer log in."
        )
        raise ServiceError(message % {"name": volunteer.name})
    _cover(volunteer, remaining)


def covered_building_ids(volunteer: Volunteer) -> set[int]:
    if volunteer.user_id is None:
        return set()
    return set(
        RoleAssignment.objects.filter(user_id=volunteer.user_id, role=Role.VOLUNTEER).values_list(
            "building_id", flat=True
        )
    )


def _lock(volunteer):
    if volunteer.status != Volunteer.Status.APPROVED or volunteer.user_id is None:
        raise ServiceError(_("Only an approved volunteer covers buildings."))
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).values("pk").get()


def _cover(volunteer, wanted: set[int]):
    of_community = Building.objects.filter(pk__in=wanted, community_id=volunteer.community_id)
    if wanted - set(of_community.values_list("pk", flat=True)):
        raise ServiceError(_("A volunteer covers only buildings of their own community."), field="buildings")
    held = RoleAssignment.objects.filter(user_id=volunteer.user_id, role=Role.VOLUNTEER)
    held.exclude(building_id__in=wanted).delete()
    BuildingPair.objects.filter(volunteer=volunteer).exclude(building_id__in=wanted).delete()
    have = set(held.values_list("building_id", flat=True))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user_id=volunteer.user_id, role=Role.VOLUNTEER, building_id=pk) for pk in sorted(wanted - have)
    )
