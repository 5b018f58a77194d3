"""Reads for the parcel pages, each in a fixed number of queries however many parcels a compound
receives (5,000 a day in the largest): the gate's counts, a wave's buildings and its sorting view,
a building's run on the volunteer's phone."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from households.models import Building, Compound, Household, Role, RoleAssignment, room_label

from . import rules
from .models import BuildingDelivery, Destination, Parcel, Wave

State = Parcel.State
AT_GATE = (State.RECEIVED, State.DISINFECTED, State.READY, State.RETURNED)
RECENT = 8  # the gatekeeper's last parcels, each with its undo


def gate_counts(compound, now=None) -> dict:
    """What waits at the gate: `counts` {state: parcels}, a parcel whose hold is over counted ready
    even before the beat task (or a wave's loading) moves it; `ready_in_no_wave`; `next_ready`,
    when the next hold ends. One query."""
    now = now or timezone.now()
    over = Q(state=State.READY) | Q(state=State.DISINFECTED, hold_until__lte=now)
    held = Q(state=State.DISINFECTED, hold_until__gt=now)
    figures = Parcel.objects.filter(compound=compound, state__in=AT_GATE).aggregate(
        received=Count("pk", filter=Q(state=State.RECEIVED)),
        disinfected=Count("pk", filter=held),
        ready=Count("pk", filter=over),
        returned=Count("pk", filter=Q(state=State.RETURNED)),
        ready_in_no_wave=Count("pk", filter=over & Q(wave__isnull=True)),
        next_ready=Min("hold_until", filter=held),
    )
    counts = {state: figures[state] for state in AT_GATE}
    return {"counts": counts, "next_ready": figures["next_ready"], "ready_in_no_wave": figures["ready_in_no_wave"]}


def ready_in_no_wave(compound, now=None) -> int:
    """How many parcels a wave being sorted may load now: ready, or their hold over, in no wave."""
    over = Q(state=State.READY) | Q(state=State.DISINFECTED, hold_until__lte=now or timezone.now())
    return Parcel.objects.filter(over, compound=compound, wave__isnull=True).count()


def recent_intake(compound, actor):
    """The actor's last parcels recorded at this gate, newest first, each with its `label`."""
    parcels = Parcel.objects.filter(compound=compound, received_by=actor).order_by("-received_at", "-id")[:RECENT]
    rows = list(parcels.select_related("household__building"))
    for parcel in rows:
        parcel.label = parcel.household.label
    return rows


def returned_parcels(compound, scope, limit=50):
    """The parcels back at the gate from the buildings in `scope`, first back first."""
    rows = scope.filter(Parcel.objects.filter(compound=compound, state=State.RETURNED))
    rows = list(rows.select_related("household__building", "carried_by").order_by("finished_at", "id")[:limit])
    for parcel in rows:
        parcel.label = parcel.household.label
    return rows


def shelf_place(building) -> str:
    """Where the building's parcel shelf is, as staff wrote it on the route page ("" if not said)."""
    return BuildingDelivery.objects.filter(building=building).values_list("shelf_place", flat=True).first() or ""


@dataclass(slots=True)
class WaveBuilding:
    """A building of a wave as the sorting view and the sheets list it: its parcels counted."""

    pk: int
    number: str
    parcels: int  # all of the wave's here
    first: int  # to the door first: medicine, cold chain, the care list
    shelf: int
    out: int
    done: int  # handed over at the door or on the shelf
    returned: int
    covered_by: list  # the names of the volunteers who cover it


# A wave's buildings with their parcels counted, in the route's order. Written as SQL because the
# ORM took longer to build this GROUP BY and its route lookup than the database took to run them
# (3 ms against 2, on the sorting view of 2,500 parcels; `make bench ONLY=parcel_sorting`).
WAVE_BUILDINGS_SQL = f"""
SELECT parcel.building_id, building.number,
  COUNT(*),
  SUM(CASE WHEN {rules.PRIORITY_SQL} < {rules.Priority.OTHER} THEN 1 ELSE 0 END),
  SUM(CASE WHEN parcel.destination = %(shelf)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN parcel.state = %(out)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN parcel.state IN (%(delivered)s, %(on_shelf)s) THEN 1 ELSE 0 END),
  SUM(CASE WHEN parcel.state = %(returned)s THEN 1 ELSE 0 END)
FROM {Parcel._meta.db_table} parcel
JOIN {Building._meta.db_table} building ON building.id = parcel.building_id
LEFT JOIN {BuildingDelivery._meta.db_table} delivery ON delivery.building_id = parcel.building_id
WHERE parcel.wave_id = %(wave)s
GROUP BY parcel.building_id, building.number, building.sort_key, delivery.route_position
ORDER BY delivery.route_position IS NULL, delivery.route_position, building.sort_key, building.number
"""


def wave_buildings(wave) -> list[WaveBuilding]:
    """Each building with parcels in the wave, in the route's order (buildings with no place on it
    last, in their own order), with its counts and who covers it."""
    states = {"out": State.OUT, "delivered": State.DELIVERED, "on_shelf": State.ON_SHELF, "returned": State.RETURNED}
    with connection.cursor() as cursor:
        cursor.execute(WAVE_BUILDINGS_SQL, {"wave": wave.pk, "shelf": Destination.SHELF, **states})
        rows = [WaveBuilding(*counted, covered_by=[]) for counted in cursor.fetchall()]
    by_pk = {row.pk: row for row in rows}
    cover = RoleAssignment.objects.filter(role=Role.VOLUNTEER, building_id__in=list(by_pk))
    people = cover.values_list("building_id", "user__volunteer__name", "user__display_name", "user__username")
    for building_id, *name in people.order_by("user__volunteer__name", "user__username"):
        by_pk[building_id].covered_by.append(next(part for part in name if part))
    return rows


@dataclass(slots=True)
class ParcelRow:
    """A parcel as the sorting view, the labels, the building sheet and the run list it: rows
    rather than models, a building's hundred of them a fifth of the page's time as models."""

    pk: int
    label: str
    medicine: bool
    cold_chain: bool
    care: bool
    fragile: bool
    note: str
    destination: str
    state: str
    carried_by_id: int | None
    finished_at: object
    return_reason: str
    photo: str  # the stored file's name, "" when none was taken
    priority: int


# A wave's parcels of some buildings, priority first, then by room; after the room, the columns in
# ParcelRow's order. Read through a cursor for the reason WAVE_BUILDINGS_SQL is: the ORM took
# longer than the query (2.3 ms against 1.2 for a building's hundred parcels).
PARCEL_ROWS_SQL = f"""
SELECT parcel.building_id, parcel.id, household.unit, household.room, parcel.medicine, parcel.cold_chain,
  parcel.care, parcel.fragile, parcel.note, parcel.destination, parcel.state, parcel.carried_by_id,
  parcel.finished_at, parcel.return_reason, parcel.photo, {rules.PRIORITY_SQL} AS priority
FROM {Parcel._meta.db_table} parcel
JOIN {Household._meta.db_table} household ON household.id = parcel.household_id
WHERE parcel.wave_id = %s AND parcel.building_id IN ({{buildings}})
ORDER BY priority, household.unit, household.room, parcel.id
"""


def run_parcels(wave, building) -> list[ParcelRow]:
    """The wave's parcels of one building as they are sorted and carried: priority first (medicine,
    cold chain, the care list), then by room."""
    return parcels_by_building(wave, [building])[building.pk]


def parcels_by_building(wave, buildings) -> dict[int, list[ParcelRow]]:
    """{building pk: its parcels as run_parcels lists them}, for each of `buildings` (rows with
    .pk and .number), in one query: the printouts of every building at once."""
    numbers = {building.pk: building.number for building in buildings}
    by_building = {pk: [] for pk in numbers}
    if not numbers:
        return by_building
    with connection.cursor() as cursor:
        cursor.execute(PARCEL_ROWS_SQL.format(buildings=", ".join(["%s"] * len(numbers))), [wave.pk, *numbers])
        for building_id, pk, unit, room, *columns in cursor.fetchall():
            row = ParcelRow(pk, room_label(numbers[building_id], unit, room), *columns)
            row.finished_at = _moment(row.finished_at)
            by_building[building_id].append(row)
    return by_building


def _moment(value):
    """A timestamp as a cursor gives it: aware from PostgreSQL, naive in UTC from SQLite."""
    return value.replace(tzinfo=datetime.UTC) if value is not None and timezone.is_naive(value) else value


def recent_waves(compound, limit):
    """The compound's latest waves, each with its parcels counted: all, still out, handed over, back."""
    counts = {
        "total": Count("parcels"),
        "out": Count("parcels", filter=Q(parcels__state=State.OUT)),
        "done": Count("parcels", filter=Q(parcels__state__in=[State.DELIVERED, State.ON_SHELF])),
        "returned": Count("parcels", filter=Q(parcels__state=State.RETURNED)),
    }
    return list(Wave.objects.filter(compound=compound).annotate(**counts).order_by("-starts_at", "-id")[:limit])


def route_of(compound) -> list:
    """The compound's buildings in the route's order, each with `delivery` (its BuildingDelivery,
    or None) and `goes`: where its parcels go now (rules.building_destination)."""
    buildings = list(Building.objects.filter(compound=compound).order_by("sort_key", "number"))
    chosen = {row.building_id: row for row in BuildingDelivery.objects.filter(building__compound=compound)}
    for building in buildings:
        building.delivery = chosen.get(building.pk)
        choice = building.delivery.destination if building.delivery else ""
        building.goes = rules.building_destination(choice, building.control_level, compound.control_level)
    return sorted(buildings, key=lambda b: _on_route(b.delivery.route_position if b.delivery else None))


def _on_route(position):
    """A route's order: buildings with a place first, by it; those with none after, in their order."""
    return (position is None, position or 0)


def gates_of(scope) -> list:
    """The compounds of the account's areas, each with `counts`: {state: parcels at its gate}."""
    compounds = list(scope.filter(Compound.objects.select_related("community")).order_by("community__name", "name"))
    counts = Parcel.objects.filter(compound__in=[c.pk for c in compounds], state__in=AT_GATE)
    by_compound = {}
    for row in counts.values("compound_id", "state").annotate(count=Count("pk")).order_by():
        by_compound.setdefault(row["compound_id"], {})[row["state"]] = row["count"]
    for compound in compounds:
        compound.counts = {state: by_compound.get(compound.pk, {}).get(state, 0) for state in AT_GATE}
    return compounds
