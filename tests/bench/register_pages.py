"""Register pages on a street of 100,000 residents: overview, building, search, key population.

Each page is fetched through django.test.Client, logged in as committee staff of one community of
the street. For each one the figure gives its median latency, its query count, its ratio to what no
page can avoid, `floor_plus_sql` = `logged_in_floor` + `own_sql` (goal: at most 1.5, the ORM, the
template and the page's own Python cost at most half of that), the older ratio to `own_sql` alone,
and the big tables whose plan has a Seq Scan (goal: none).

- `own_sql`: the statements the page sent (captured once), executed again through a plain cursor with
  every row fetched; timed in alternation with the page, same number of runs, medians compared.
- `trivial_view` and `logged_in_floor` (tests/bench/urls.py), through the same client and session:
  a bare HttpResponse, and a logged-in empty page (session, account, scope, layout): the floors
  under every page, for reading the page figures.
- After the bulk build, VACUUM ANALYZE gives the planner the statistics and visibility map that
  autovacuum would have given a database in use.
"""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from households.demo import StreetPlan, build_street
from households.models import Building, Household, Resident, Role, RoleAssignment
from lockdown.models import User

from . import measure

# 20 communities of 1,800 households: 36,000 households, about 99,000 residents.
PLAN = StreetPlan(
    communities=20,
    compounds_per_community=2,
    buildings_per_compound=10,
    zones_per_compound=3,
    units_per_building=3,
    floors=6,
    rooms_per_floor=5,
    residents_per_household=2.65,
)
SEARCH = "王"  # the commonest surname: the search page fills up to its limit
GOAL = "ratio <= 1.5"


@dataclass
class Register:
    """What the page figures need from the built street."""

    client: Client
    urls: dict
    sizes: dict


def build():
    """The street, its statistics refreshed, and a client logged in as one community's staff."""
    households = PLAN.communities * PLAN.compounds_per_community * PLAN.buildings_per_compound
    households *= PLAN.units_per_building * PLAN.floors * PLAN.rooms_per_floor
    measure.progress(f"building a street of {households:,} households …")
    start = time.perf_counter()
    street = build_street(name="基准路街道", plan=PLAN, seed=2022)
    measure.progress(f"built in {time.perf_counter() - start:.0f} s; VACUUM ANALYZE …")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    community = street.communities.order_by("id").first()
    building = Building.objects.filter(community=community).order_by("sort_key", "id").first()
    user = User.objects.create_user(username="bench-staff")
    RoleAssignment.objects.create(user=user, role=Role.COMMITTEE_STAFF, community=community)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    in_community = Resident.objects.current().filter(household__community=community)
    sizes = {
        "residents": Resident.objects.count(),
        "households": Household.objects.count(),
        "community_residents": in_community.count(),
    }
    matches = in_community.filter(name__startswith=SEARCH).count()
    urls = {
        "page_overview": (f"/communities/{community.pk}/", {}),
        "page_building": (f"/buildings/{building.pk}/", {}),
        "page_search": (f"/search/?{urlencode({'q': SEARCH})}", {"matches": matches}),
        "page_key_population": ("/key-population/", {}),
    }
    measure.progress(f"register: {sizes}")
    return Register(client, urls, sizes)


def run(names):
    register = build()
    with override_settings(ROOT_URLCONF="tests.bench.urls"):
        floors = measure.page_floors(register.client)
        for name in names:
            url, extra = register.urls[name]
            measure.page_figure(name, register.client, url, floors, {**register.sizes, **extra}, goal=GOAL)
