"""Waves: staff plan a compound's waves (a name, when it goes out), load the parcels ready by then,
sort them by building at the gate, and send the wave out: each building's parcels become one task on
the volunteers' list for those who cover it, carried to the door or to the shelf (supplies.rules).

    wave = wave_plan(actor=staff, compound=compound, name="上午", starts_at=…)
    wave_load(actor=staff, wave=wave)       # every parcel ready now and in no wave
    wave_dispatch(actor=staff, wave=wave)   # out: the tasks offered, each parcel's destination set
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from households.models import Building, building_label
from lockdown.core.errors import ServiceError
from lockdown.core.transitions import TransitionLost, transition, transition_all
from volunteers import task_list

from . import gate, rules
from .models import BuildingDelivery, Destination, Parcel, ParcelEvent, Wave, WaveEvent

KIND = "parcel_run"  # a building's parcels of a wave, on the volunteers' task list
RUN_TIME = datetime.timedelta(hours=3)  # a run is due this long after its wave goes out
NAME_MAX = Wave._meta.get_field("name").max_length


def run_key(wave_id, building_id) -> str:
    return f"{wave_id}:{building_id}"


@transaction.atomic
def wave_plan(*, actor, compound, name: str, starts_at: datetime.datetime) -> Wave:
    gate.require_gate(actor, compound)
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ServiceError(_("Name the wave in a few words, such as 上午 or 下午."), field="name")
    if timezone.localdate(starts_at) < timezone.localdate():
        message = _("%(date)s is past: a wave goes out today or later.")
        raise ServiceError(message % {"date": f"{timezone.localdate(starts_at):%Y-%m-%d}"}, field="starts_at")
    wave = Wave.objects.create(
        compound=compound, community_id=compound.community_id, name=name, starts_at=starts_at, created_by=actor
    )
    WaveEvent.objects.create(wave=wave, from_state="", to_state=Wave.State.PLANNED, actor=actor)
    return wave


@transaction.atomic
def wave_load(*, actor, wave: Wave) -> int:
    """Every parcel of the wave's compound that is ready and in no wave goes in this one, to be
    sorted. Holds that are over are released first. Returns how many came in."""
    gate.require_gate(actor, wave.compound)
    _require_planned(wave)
    gate.parcels_release(compound=wave.compound)
    waiting = Parcel.objects.filter(compound_id=wave.compound_id, state=Parcel.State.READY, wave__isnull=True)
    loaded = waiting.update(wave=wave)
    rules.care_mark(Parcel.objects.filter(wave=wave, state=Parcel.State.READY))
    _set_destinations(wave)  # the sorting view and the sheets say door or shelf while sorting
    return loaded


@transaction.atomic
def wave_unload(*, actor, wave: Wave, building=None) -> int:
    """Parcels taken out of a wave still being sorted (all, or one building's), for a later one."""
    gate.require_gate(actor, wave.compound)
    _require_planned(wave)
    parcels = Parcel.objects.filter(wave=wave, state=Parcel.State.READY)
    if building is not None:
        parcels = parcels.filter(building=building)
    return parcels.update(wave=None)


@transaction.atomic
def wave_dispatch(*, actor, wave: Wave) -> int:
    """The wave goes out: its parcels are out for delivery, each with its destination, and each
    building's share is a task for its volunteers. Of two people sending it at once, one does.
    Returns how many parcels went out."""
    gate.require_gate(actor, wave.compound)
    transition(  # first: a loading under way finishes before, and a second press is told who sent it
        Wave.objects,
        wave.pk,
        field="state",
        from_states=Wave.State.PLANNED,
        to_state=Wave.State.OUT,
        by=actor,
        event=WaveEvent,
    )
    parcels = Parcel.objects.filter(wave=wave, state=Parcel.State.READY)
    if not parcels.exists():  # the transaction is undone: the wave stays planned
        raise ServiceError(_("This wave has no parcels: load the ready ones first."))
    rules.care_mark(parcels)  # the care list and the route as they are now: changes since the loading count
    _set_destinations(wave)
    moved = transition_all(
        parcels, field="state", from_states=Parcel.State.READY, to_state=Parcel.State.OUT, by=actor, event=ParcelEvent
    )
    task_list.tasks_offer(kind=KIND, offers=_runs(wave))
    return len(moved)


def _set_destinations(wave) -> None:
    """Each parcel's destination from its building's (rules.building_destination), priority ones to
    the door: two UPDATEs, whatever the number of parcels, again at each call (the route may change)."""
    chosen = dict(
        BuildingDelivery.objects.filter(building__in=_buildings_of(wave)).values_list("building_id", "destination")
    )
    levels = Building.objects.filter(pk__in=_buildings_of(wave)).values_list(
        "pk", "control_level", "compound__control_level"
    )
    shelf = [
        pk
        for pk, level, compound_level in levels
        if rules.building_destination(chosen.get(pk, ""), level, compound_level) == Destination.SHELF
    ]
    parcels = Parcel.objects.filter(wave=wave, state=Parcel.State.READY)
    to_shelf = Q(building_id__in=shelf) & ~rules.first_to_door()
    parcels.filter(to_shelf).update(destination=Destination.SHELF)
    parcels.exclude(to_shelf).update(destination=Destination.DOOR)


def _buildings_of(wave):
    return Parcel.objects.filter(wave=wave).values("building_id")


def _runs(wave):
    """The task of each building with parcels in the wave: what to carry, how many go first."""
    counts = (
        Parcel.objects.filter(wave=wave, state=Parcel.State.OUT)
        .values("building_id", "building__number")
        .annotate(parcels=Count("pk"), first=Count("pk", filter=rules.first_to_door()))
        .order_by("building_id")
    )
    due = wave.starts_at + RUN_TIME
    for row in counts:
        building = building_label(row["building__number"])
        title = ngettext("Parcels for %(building)s: %(count)s", "Parcels for %(building)s: %(count)s", row["parcels"])
        title %= {"building": building, "count": row["parcels"]}
        if row["first"]:
            title += _(" (%(first)s first)") % {"first": row["first"]}
        yield task_list.Offer(
            source_key=run_key(wave.pk, row["building_id"]),
            title=f"{wave.name} · {title}",
            building_id=row["building_id"],
            place=building,
            due_at=due,
            link=reverse("supplies:run", args=[wave.pk, row["building_id"]]),
        )


@transaction.atomic
def building_delivery_set(*, actor, building, destination: str, shelf_place: str, route_position: int | None) -> None:
    """Staff choose how a building takes its parcels ("" for as its control level says), where its
    shelf is, and its place on the compound's route."""
    gate.require_gate(actor, building.compound)
    if destination not in ("", *Destination.values):
        raise ServiceError(_("Choose the door, the shelf, or as its control level says."), field="destination")
    BuildingDelivery.objects.update_or_create(
        building=building,
        defaults={
            "destination": destination,
            "shelf_place": shelf_place.strip(),
            "route_position": route_position,
            "changed_by": actor,
        },
    )


def _require_planned(wave):
    """Refused once the wave went out. Its row stays locked to the end of the caller's transaction,
    so that a wave sent out meanwhile waits, and takes the parcels loaded into it."""
    if not Wave.objects.select_for_update().filter(pk=wave.pk, state=Wave.State.PLANNED).values_list("pk"):
        raise ServiceError(_("This wave has gone out: plan another for these parcels."))


def wave_finish_if_done(wave_id, *, by=None) -> bool:
    """The wave is done once none of its parcels is still out (called after each hand-over)."""
    if Parcel.objects.filter(wave_id=wave_id, state=Parcel.State.OUT).exists():
        return False
    try:
        transition(
            Wave.objects,
            wave_id,
            field="state",
            from_states=Wave.State.OUT,
            to_state=Wave.State.DONE,
            by=by,
            event=WaveEvent,
        )
    except TransitionLost:  # finished by another hand-over meanwhile, or never went out
        return False
    return True
