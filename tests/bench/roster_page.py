"""Staff's roster of tomorrow: 300 volunteers on 40 shifts of 8 groups, 20 of them waiting.

The figure is the page's median latency and its ratio to `floor_plus_sql` (register_pages explains
the measure); `queries_at_a_tenth` is the same page's count on a compound of 30 volunteers and 4
shifts: equal to `queries`, since the page's count does not grow with the roster.
"""

import datetime

from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from households.models import Community, Compound, Role, RoleAssignment, Street
from lockdown.models import User
from volunteers import rosters
from volunteers.models import Group, ShiftTemplate, Signup, Volunteer

from . import measure
from .register_pages import Register, _get, _page_figure
from .urls import FLOOR_PATH, TRIVIAL_PATH

GROUPS = ("核酸采样", "物资配送", "医疗急救", "消杀", "信息统计", "宣传", "楼道值守", "协调")


def _roster(community, name, volunteers, shifts, mobiles):
    """A compound's roster of tomorrow with `shifts` shifts of 7 places and `volunteers` signed up
    round the shifts (those past the places waiting), their mobile numbers starting `mobiles`;
    returns the roster page's URL."""
    compound = Compound.objects.create(community=community, name=name)
    groups = [Group.objects.get_or_create(community=community, name=group)[0] for group in GROUPS]
    for index in range(shifts):
        ShiftTemplate.objects.create(
            group=groups[index % len(groups)],
            compound=compound,
            name=f"班次{index + 1}",
            starts=datetime.time(6 + index % 12),
            ends=datetime.time(7 + index % 12, 30),
            places=7,
            meeting_point="居委会门口",
        )
    roster, _new = rosters.roster_stamp(compound=compound, date=timezone.localdate() + datetime.timedelta(days=1))
    people = Volunteer.objects.bulk_create(
        Volunteer(
            community=community,
            compound=compound,
            name=f"志愿者{name}{n}",
            mobile=f"{mobiles}{n:05d}",
            age=20 + n % 50,
            status=Volunteer.Status.APPROVED,
            skills=["driver"] if n % 3 == 0 else [],
        )
        for n in range(volunteers)
    )
    ordered = list(roster.shifts.order_by("pk"))
    holding = {shift.pk: 0 for shift in ordered}
    rows = []
    for n, person in enumerate(people):
        shift = ordered[n % len(ordered)]
        state = Signup.State.HOLDING if holding[shift.pk] < shift.places else Signup.State.WAITING
        holding[shift.pk] += state == Signup.State.HOLDING
        rows.append(Signup(shift=shift, volunteer=person, state=state))
    Signup.objects.bulk_create(rows)
    return f"/compounds/{compound.pk}/roster/"


def run(names):
    measure.progress("roster_page: a roster of 300 volunteers on 40 shifts …")
    street = Street.objects.create(name="基准路街道")
    community = Community.objects.create(street=street, name="基准居民区")
    url = _roster(community, "大", volunteers=300, shifts=40, mobiles="139001")
    small = _roster(community, "小", volunteers=30, shifts=4, mobiles="139002")
    user = User.objects.create_user(username="bench-roster-staff")
    RoleAssignment.objects.create(user=user, role=Role.COMMITTEE_STAFF, community=community)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    register = Register(client, {}, {"volunteers": 300, "shifts": 40})
    with override_settings(ROOT_URLCONF="tests.bench.urls"):
        floors = {
            "trivial_view": measure.median_ms(lambda: _get(client, TRIVIAL_PATH)),
            "logged_in_floor": measure.median_ms(lambda: _get(client, FLOOR_PATH)),
        }
        at_a_tenth = len(measure.capture_sql(lambda: _get(client, small)))
        _page_figure("roster_page", register, url, {"queries_at_a_tenth": at_a_tenth}, floors)
