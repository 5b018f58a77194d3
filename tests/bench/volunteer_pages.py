"""Volunteer pages on a community of 2,800 households: the phone's home page of one of its 300
volunteers, with 5,000 open tasks in the community (`volunteer_today`), and staff's roster of
tomorrow, 300 volunteers on 40 shifts (`roster_page`).

Each figure is measured as the register's pages are (measure.page_figure): median latency, query
count, ratio to `floor_plus_sql` (the logged-in floor of the page's own layout, the phone's or the
desk's, plus the page's own SQL replayed bare; goal at most 1.5), and the big tables scanned. The
query counts are measured a second time with a tenth of the data (`queries_small`): equal, or the
page issues more queries as data grows.
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
from households.models import Building, Role, RoleAssignment
from lockdown.models import User
from volunteers import rosters
from volunteers.models import Group, ShiftTemplate, Signup, Task, Volunteer

from . import measure

# Communities of 2 compounds × 26 buildings × 3 units × 6 floors × 3 rooms: 2,808 households each;
# the first holds the figures' data, the second a tenth of it, for the query counts.
PLAN = StreetPlan(communities=2, compounds_per_community=2, buildings_per_compound=26, rooms_per_floor=3)
VOLUNTEERS, TASKS, SHIFTS = 300, 5000, 40
GOAL = "ratio <= 1.5"
GROUPS = ("核酸采样", "物资配送", "医疗急救", "消杀", "信息统计", "宣传", "楼道值守", "协调")


def build(community, scale=1.0):
    """The community's volunteers, tasks and tomorrow's roster; returns the clients and urls."""
    measure.progress(f"{community}: its volunteers, tasks and roster (scale {scale}) …")
    start = time.perf_counter()
    compound = community.compounds.order_by("id").first()
    buildings = list(Building.objects.filter(community=community).order_by("sort_key", "id"))
    rng = random.Random(2022)
    volunteers = _volunteers(community, compound, buildings, int(VOLUNTEERS * scale), rng)
    _tasks(buildings, int(TASKS * scale), rng)
    roster_url = _roster(community, compound, volunteers, max(int(SHIFTS * scale), 2))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    measure.progress(f"built in {time.perf_counter() - start:.0f} s")

    staff = User.objects.create_user(username=f"bench-volunteer-staff-{scale}")
    RoleAssignment.objects.create(user=staff, role=Role.COMMITTEE_STAFF, community=community)
    desk, phone = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    desk.force_login(staff)
    phone.force_login(volunteers[0].user)
    return {"volunteer_today": (phone, reverse("volunteers:today")), "roster_page": (desk, roster_url)}


def _volunteers(community, compound, buildings, count, rng):
    """Approved volunteers, each covering two neighbouring buildings, with an account."""
    users = User.objects.bulk_create(
        User(username=f"v-{community.pk}-{n}", display_name=f"志愿者{n}", mobile=f"137{community.pk:02d}{n:06d}")
        for n in range(count)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(
            community=community,
            compound=compound,
            name=user.display_name,
            mobile=user.mobile,
            age=rng.randint(20, 70),
            status=Volunteer.Status.APPROVED,
            user=user,
        )
        for user in users
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=Role.VOLUNTEER, building=buildings[(n + step) % len(buildings)])
        for n, user in enumerate(users)
        for step in (0, 1)
    )
    return volunteers


def _tasks(buildings, count, rng):
    """Open tasks spread over the community's buildings and over today (and a few days around it)."""
    now = timezone.now()
    Task.objects.bulk_create(
        Task(
            kind="parcel",
            source_key=f"bench-{buildings[0].community_id}-{n}",
            title=f"送物资 {n}",
            building=rng.choice(buildings),
            due_at=now + datetime.timedelta(minutes=rng.randint(-3 * 24 * 60, 3 * 24 * 60)),
        )
        for n in range(count)
    )


def _roster(community, compound, volunteers, shifts):
    """Tomorrow's roster, stamped from `shifts` templates of 8 places in 8 groups; every volunteer
    signed up for one (holding a place while there is one, else waiting)."""
    groups = [Group.objects.create(community=community, name=name) for name in GROUPS]
    ShiftTemplate.objects.bulk_create(
        ShiftTemplate(
            group=groups[n % len(groups)],
            compound=compound,
            name=f"班次{n + 1}",
            starts=datetime.time(6 + n % 12),
            ends=datetime.time(7 + n % 12, 30),
            places=8,
            meeting_point="居委会门口",
        )
        for n in range(shifts)
    )
    roster, _new = rosters.roster_stamp(compound=compound, date=timezone.localdate() + datetime.timedelta(days=1))
    ordered = list(roster.shifts.order_by("pk"))
    holding = dict.fromkeys((shift.pk for shift in ordered), 0)
    signups = []
    for n, volunteer in enumerate(volunteers):
        shift = ordered[n % len(ordered)]
        state = Signup.State.HOLDING if holding[shift.pk] < shift.places else Signup.State.WAITING
        holding[shift.pk] += state == Signup.State.HOLDING
        signups.append(Signup(shift=shift, volunteer=volunteer, state=state))
    Signup.objects.bulk_create(signups)
    return reverse("volunteers:roster", args=[compound.pk])


def run(names):
    measure.progress("building two communities of 2,808 households …")
    street = build_street(name="志愿路街道", plan=PLAN, seed=2022)
    big, little = street.communities.order_by("id")
    pages = build(big)
    small = build(little, scale=0.1)
    with override_settings(ROOT_URLCONF="tests.bench.urls"):
        for name in names:
            client, url = pages[name]
            queries_small = len(measure.capture_sql(lambda page=small[name]: measure.get_ok(*page)))
            floors = measure.page_floors(client, mobile=name == "volunteer_today")
            extra = {"volunteers": VOLUNTEERS, "open_tasks": TASKS, "shifts": SHIFTS, "queries_small": queries_small}
            measure.page_figure(name, client, url, floors, extra, goal=GOAL)
