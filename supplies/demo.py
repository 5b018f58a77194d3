"""The demo community's parcels, as the gate of its first compound has them at midday: the morning
wave delivered (one parcel sent back), the afternoon's ready parcels loaded for sorting, a tray on
hold and a few just received. One building is controlled, its parcels on its shelf. Everything
goes through the services the gate and the volunteers use."""

import datetime
import random

from django.utils import timezone

from households.models import ControlLevel, Household, Role, RoleAssignment

from . import deliveries, gate, waves
from .models import Parcel

NOTES = ["顺丰 尾号2231", "京东 尾号0918", "鸡蛋 已重新包装", "中通 尾号5520", "", "", "", "", "叮咚买菜"]


def load_parcels(community, staff) -> int:
    """Returns how many parcels were recorded (none when the demo has them already)."""
    if Parcel.objects.filter(community=community).exists():
        return 0
    rng = random.Random(16)
    compound = community.compounds.order_by("name").first()
    buildings = list(compound.buildings.order_by("sort_key", "number"))
    shelf_building = buildings[2]
    shelf_building.control_level = ControlLevel.CONTROLLED
    shelf_building.save(update_fields=["control_level"])
    for position, building in enumerate(buildings, 1):
        place = "一楼大堂快递架" if building == shelf_building else ""
        waves.building_delivery_set(
            actor=staff, building=building, destination="", shelf_place=place, route_position=position
        )
    households = list(Household.objects.filter(building__in=buildings[:6]).order_by("pk"))
    now = timezone.now()
    morning = _received(staff, rng.sample(households, 40), rng)
    gate.parcels_disinfect(actor=staff, compound=compound)
    _hold_over(compound)
    wave = waves.wave_plan(actor=staff, compound=compound, name="上午", starts_at=now - datetime.timedelta(hours=3))
    waves.wave_load(actor=staff, wave=wave)
    waves.wave_dispatch(actor=staff, wave=wave)
    back = morning[0]
    deliveries.parcel_return(actor=staff, parcel=back, reason="家中无人")
    for building in buildings[:6]:
        carrier = _volunteer_of(building) or staff
        deliveries.parcels_hand_over(actor=carrier, wave=wave, building=building)
    afternoon = _received(staff, rng.sample(households, 30), rng)
    gate.parcels_disinfect(actor=staff, compound=compound)
    _hold_over(compound)
    later = waves.wave_plan(actor=staff, compound=compound, name="下午", starts_at=now + datetime.timedelta(hours=2))
    waves.wave_load(actor=staff, wave=later)
    held = _received(staff, rng.sample(households, 12), rng)
    gate.parcels_disinfect(actor=staff, compound=compound)
    fresh = _received(staff, rng.sample(households, 5), rng)
    return len(morning) + len(afternoon) + len(held) + len(fresh)


def _hold_over(compound):
    """The demo's morning: the hold of the parcels disinfected is over (as if two hours had passed)."""
    gate.parcels_release(compound=compound, now=timezone.now() + gate.hold_of(compound))


def _received(staff, households, rng):
    return [
        gate.parcel_receive(
            actor=staff,
            household=household,
            medicine=rng.random() < 0.08,
            cold_chain=rng.random() < 0.1,
            fragile=rng.random() < 0.1,
            note=rng.choice(NOTES),
        )
        for household in households
    ]


def _volunteer_of(building):
    cover = RoleAssignment.objects.filter(role=Role.VOLUNTEER, building=building).select_related("user").first()
    return cover.user if cover else None
