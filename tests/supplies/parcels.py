"""Helpers of the supplies' tests: parcels at the world's gate, moved along by the services."""

import datetime

from django.utils import timezone

from households.models import Role
from supplies import gate, waves
from supplies.models import Parcel


def staff_of(world):
    return world.users[Role.COMMITTEE_STAFF]


def receive(world, household=None, **flags):
    return gate.parcel_receive(actor=staff_of(world), household=household or world.household, **flags)


def past_hold(world):
    """Disinfect every parcel received and let their hold end (the hold set back into the past)."""
    compound = world.building.compound
    gate.parcels_disinfect(actor=staff_of(world), compound=compound)
    Parcel.objects.filter(compound=compound, state=Parcel.State.DISINFECTED).update(
        hold_until=timezone.now() - datetime.timedelta(minutes=1)
    )


def wave_out(world, name="上午"):
    """A wave of every parcel ready in the world's compound, sent out."""
    staff = staff_of(world)
    wave = waves.wave_plan(actor=staff, compound=world.building.compound, name=name, starts_at=timezone.now())
    waves.wave_load(actor=staff, wave=wave)
    waves.wave_dispatch(actor=staff, wave=wave)
    return wave


def states(*parcels):
    return [Parcel.objects.get(pk=parcel.pk).state for parcel in parcels]
