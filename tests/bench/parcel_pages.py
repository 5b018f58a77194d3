"""Parcel pages on a compound receiving 5,000 parcels a day, with six days of them behind it (35,000
parcels, 105,000 steps): one parcel recorded at the gate, the request end to end, from the room
typed to the redirect (`parcel_intake`), and a wave's sorting view, one building of a wave of 2,500
parcels (`parcel_sorting`).

Each figure is measured as the register's pages are (measure.request_figure): median latency, query
count, ratio to `floor_plus_sql` (the logged-in floor plus the request's own SQL replayed bare; the
intake's in one transaction, as it runs; goal at most 1.5), and the big tables scanned. The query
counts are measured a second time on a compound with a tenth of the parcels (`queries_small`).
"""

import datetime
import random
import time

from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from households.demo import StreetPlan, build_street
from households.models import Building, Household, Role, RoleAssignment
from lockdown.models import User
from supplies.models import Destination, Parcel, ParcelEvent, Wave

from . import measure

# Communities of 2 compounds × 26 buildings × 3 units × 6 floors × 3 rooms: 1,404 households a
# compound; the first community's first compound holds the figures' data, the second's a tenth.
PLAN = StreetPlan(communities=2, compounds_per_community=2, buildings_per_compound=26, rooms_per_floor=3)
PER_DAY, DAYS_BEFORE, WAVE = 5000, 6, 2500
GOAL = "ratio <= 1.5"
State = Parcel.State


def build(community, scale=1.0):
    """The first compound's parcels: six days delivered, and today's received, on hold and in the
    morning wave being sorted. Returns {figure: request} and the data's sizes."""
    measure.progress(f"{community}: its parcels (scale {scale}) …")
    start = time.perf_counter()
    compound = community.compounds.order_by("id").first()
    households = list(Household.objects.filter(building__compound=compound).values_list("pk", "building_id"))
    rng = random.Random(2022)
    staff = User.objects.create_user(username=f"bench-parcel-staff-{scale}")
    RoleAssignment.objects.create(user=staff, role=Role.COMMITTEE_STAFF, community=community)
    now = timezone.now()
    wave = Wave.objects.create(compound=compound, community=community, name="上午", starts_at=now, created_by=staff)
    per_day = int(PER_DAY * scale)
    for day in range(DAYS_BEFORE, -1, -1):
        _day(compound, households, staff, now - datetime.timedelta(days=day), per_day, wave if day == 0 else None, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    measure.progress(f"built in {time.perf_counter() - start:.0f} s")

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    gate = reverse("supplies:gate", args=[compound.pk])
    household = Household.objects.select_related("building").filter(building__compound=compound).order_by("pk")[500]

    def intake():
        response = client.post(gate, {"room": household.label, "medicine": "on", "note": "顺丰 尾号1234"})
        if response.status_code != 302:
            raise RuntimeError(f"POST {gate} answered {response.status_code}, not a redirect")

    building = Building.objects.filter(compound=compound).order_by("sort_key")[3]
    sorting = f"{reverse('supplies:wave', args=[wave.pk])}?building={building.pk}"
    return client, {"parcel_intake": intake, "parcel_sorting": lambda: measure.get_ok(client, sorting)}


def _day(compound, households, staff, day, count, wave, rng):
    """`count` parcels of one day; a past day's all delivered (three steps each), today's spread
    over the gate: WAVE of them ready in `wave`, the rest received or on hold."""
    parcels = []
    for n in range(count):
        household_id, building_id = rng.choice(households)
        received = day - datetime.timedelta(minutes=rng.randint(0, 600))
        if wave is None:
            state, in_wave, goes = State.DELIVERED, None, Destination.DOOR
        elif n < WAVE * count // PER_DAY:
            state, in_wave, goes = State.READY, wave, ""
        else:
            state, in_wave, goes = (State.RECEIVED, State.DISINFECTED)[n % 2], None, ""
        parcels.append(
            Parcel(
                compound_id=compound.pk,
                community_id=compound.community_id,
                building_id=building_id,
                household_id=household_id,
                medicine=rng.random() < 0.05,
                cold_chain=rng.random() < 0.08,
                fragile=rng.random() < 0.1,
                note=rng.choice(["", "", "顺丰", "京东", "鸡蛋"]),
                state=state,
                received_at=received,
                received_by=staff,
                hold_until=received + datetime.timedelta(hours=2) if state != State.RECEIVED else None,
                wave=in_wave,
                destination=goes,
                carried_by=staff if state == State.DELIVERED else None,
                finished_at=received + datetime.timedelta(hours=4) if state == State.DELIVERED else None,
            )
        )
    parcels = Parcel.objects.bulk_create(parcels, batch_size=2000)
    steps = (State.RECEIVED, State.DISINFECTED, State.DELIVERED)
    ParcelEvent.objects.bulk_create(
        (
            ParcelEvent(parcel=parcel, from_state=before, to_state=after, actor=staff, at=parcel.received_at)
            for parcel in parcels
            for before, after in zip(("", *steps), steps, strict=False)
            if wave is None or after == State.RECEIVED
        ),
        batch_size=5000,
    )


def run(names):
    measure.progress("building two communities of 2,808 households …")
    street = build_street(name="快递路街道", plan=PLAN, seed=2022)
    big, little = street.communities.order_by("id")
    client, requests = build(big)
    _small_client, small = build(little, scale=0.1)
    with override_settings(ROOT_URLCONF="tests.bench.urls"):
        floors = measure.page_floors(client, mobile=False)
        for name in names:
            queries_small = len(measure.replayable(measure.capture_sql(small[name])))
            extra = {"parcels_a_day": PER_DAY, "parcels": PER_DAY * (DAYS_BEFORE + 1), "queries_small": queries_small}
            if name == "parcel_sorting":
                extra["wave"] = WAVE
            measure.request_figure(name, requests[name], floors, extra, GOAL, writes=name == "parcel_intake")
