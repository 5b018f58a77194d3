"""The volunteer's phone: today's shift, the buildings covered and their tasks (own first, then the
soonest due), a task's page with its moves; only the volunteer's buildings; as many queries for 60
tasks as for 6; every page far under the 150 KB a page may transfer."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import Role
from tests.households.factories import user_with_role
from volunteers import task_list
from volunteers.models import Group, Membership, Roster, Shift, Signup, Task, WelfareCheck
from volunteers.today import tasks_of_day
from volunteers.welfare import welfare_checks_offer

from .phone_world import living_alone, make_volunteer

State = Task.State
PAGE_BUDGET = 150 * 1024  # what a volunteer page may transfer (issue 15)


@pytest.fixture
def volunteer(world):
    """王小明 covers building 12 (the world's building)."""
    return make_volunteer(world, [world.building], name="王小明")


@pytest.fixture
def morning(monkeypatch):
    """The clock at 08:00 local time today, for the tests whose tasks are due hours from "now": they
    stay within today whenever the suite runs (at 17:00 a task due in eight hours is tomorrow's)."""
    eight = datetime.datetime.combine(timezone.localdate(), datetime.time(8), timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: eight)
    return eight


def offer(building, key, *, hours=2, title=None, link=""):
    due = None if hours is None else timezone.now() + datetime.timedelta(hours=hours)
    return task_list.task_offer(
        kind="parcel", source_key=key, title=title or f"送快递 {key}", building=building, due_at=due, link=link
    )


def listed(html):
    """The tasks' titles on a page, in order."""
    return re.findall(r'<a href="/v/tasks/\d+/"><strong>([^<]+)</strong>', html)


def today_page(client, user):
    client.force_login(user)
    return client.get(reverse("volunteers:today")).content.decode()


# Home ------------------------------------------------------------------------------------------------


def test_an_account_with_a_volunteer_record_lands_on_today_and_leaders_keep_their_page(client, world, volunteer):
    client.force_login(volunteer.user)
    assert client.get(reverse("home")).url == reverse("volunteers:today")

    client.force_login(world.users[Role.BUILDING_LEADER])
    assert client.get(reverse("home")).templates[0].template.name == "my_buildings.html"
    assert client.get(reverse("volunteers:today")).url == reverse("home")


def test_staff_who_also_volunteer_land_on_their_overview(client, world, volunteer):
    user_with_role(Role.COMMITTEE_STAFF, world.community, username="also-staff")
    volunteer.user.role_assignments.create(role=Role.COMMITTEE_STAFF, community=world.community)
    client.force_login(volunteer.user)

    assert client.get(reverse("home")).url == reverse("households:community", args=[world.community.pk])


def test_a_volunteer_covering_no_building_yet_is_told_so(client, world):
    volunteer = make_volunteer(world, [world.building])
    volunteer.user.role_assignments.all().delete()
    client.force_login(volunteer.user)

    assert client.get(reverse("home")).url == reverse("volunteers:today")
    assert "You cover no building yet" in client.get(reverse("volunteers:today")).content.decode()


# Today: shifts, buildings, tasks ---------------------------------------------------------------------


def hold(volunteer, date, *, state=Signup.State.HOLDING, name="上午送快递"):
    group, _ = Group.objects.get_or_create(community=volunteer.community, name="物资配送组")
    roster, _ = Roster.objects.get_or_create(community=volunteer.community, compound=volunteer.compound, date=date)
    starts = timezone.make_aware(datetime.datetime.combine(date, datetime.time(7)))
    shift = Shift.objects.create(
        roster=roster,
        group=group,
        name=name,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=4),
        places=5,
        meeting_point="南门",
    )
    return Signup.objects.create(shift=shift, volunteer=volunteer, state=state)


def test_today_shows_the_shift_held_today_only(client, volunteer):
    today = timezone.localdate()
    hold(volunteer, today)
    hold(volunteer, today + datetime.timedelta(days=1), name="明天的班")
    hold(volunteer, today, state=Signup.State.WAITING, name="排队的班")

    html = today_page(client, volunteer.user)

    assert "上午送快递 07:00–11:00" in html
    assert "物资配送组" in html
    assert "meet at 南门" in html
    assert "明天的班" not in html
    assert "排队的班" not in html


def test_a_group_leader_finds_today_s_check_in_of_their_group_on_the_phone(client, world, volunteer):
    today = timezone.localdate()
    led = hold(make_volunteer(world, [world.building], name="组员"), today).shift
    hold(make_volunteer(world, [world.building], name="明天的组员"), today + datetime.timedelta(days=1))
    check_in = reverse("volunteers:check_in", args=[led.roster.compound_id])
    assert check_in not in today_page(client, volunteer.user)  # a member, not a leader

    Membership.objects.create(group=led.group, volunteer=volunteer, leader=True)
    html = today_page(client, volunteer.user)

    assert html.count(check_in) == 1
    assert f"Check in your group: {led.roster.compound.name}" in html
    assert client.get(check_in).status_code == 200


def test_today_lists_the_buildings_covered_and_their_tasks_only(client, world, volunteer, morning):
    offer(world.building, "mine")
    offer(world.other_building, "next-door")
    offer(world.far_building, "far")
    offer(world.building, "tomorrow", hours=30)
    task_done = offer(world.building, "done")
    task_list.task_done(task=task_done)

    html = today_page(client, volunteer.user)

    assert listed(html) == ["送快递 mine"]
    assert reverse("households:building", args=[world.building.pk]) in html
    assert reverse("households:building", args=[world.other_building.pk]) not in html


def test_late_in_the_evening_today_lists_the_night_s_tasks_due_after_midnight(client, world, volunteer, monkeypatch):
    ten_pm = datetime.datetime.combine(timezone.localdate(), datetime.time(22), timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: ten_pm)
    offer(world.building, "tonight", hours=3)
    offer(world.building, "tomorrow", hours=12)

    assert listed(today_page(client, volunteer.user)) == ["送快递 tonight"]


def test_today_lists_the_volunteer_s_own_tasks_first_then_the_soonest_due_then_those_with_no_time(
    client, world, volunteer, morning
):
    other = make_volunteer(world, [world.building], name="李小红").user
    offer(world.building, "at-five", hours=5)
    offer(world.building, "whenever", hours=None)
    offer(world.building, "late", hours=-1)
    task_list.task_claim(actor=volunteer.user, task=offer(world.building, "mine-later", hours=8))
    task_list.task_claim(actor=other, task=offer(world.building, "theirs", hours=1))

    html = today_page(client, volunteer.user)

    assert listed(html) == ["送快递 mine-later", "送快递 late", "送快递 theirs", "送快递 at-five", "送快递 whenever"]
    assert "Taken by 李小红" in html
    assert "You took it" in html
    assert html.count(">Take<") == 3


def test_many_tasks_are_listed_thirty_at_a_time_with_the_rest_a_tap_away(client, world, volunteer, morning):
    for n in range(35):
        offer(world.building, f"{n:02d}", hours=1 + n / 10)

    first = today_page(client, volunteer.user)
    second = client.get(reverse("volunteers:today"), {"page": 2}).content.decode()

    assert len(listed(first)) == 30
    assert 'rel="next"' in first
    assert listed(second) == [f"送快递 {n}" for n in range(30, 35)]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(world, volunteer, start, count):
    """`count` more tasks in the volunteer's building, a third taken by them or another, and as many
    in another building; and residents living alone with their checks."""
    other = make_volunteer(world, [world.building], name=f"别人{start}").user
    for n in range(start, start + count):
        task = offer(world.building, f"t{n}", hours=n % 12)
        offer(world.other_building, f"o{n}")
        if n % 3 == 1:
            task_list.task_claim(actor=(volunteer.user, other)[n % 2], task=task)
    living_alone(world.building, count // 3, start=start)
    welfare_checks_offer(date=timezone.localdate())


def test_the_phone_pages_take_as_many_queries_for_60_tasks_as_for_6(client, world, volunteer):
    hold(volunteer, timezone.localdate())
    client.force_login(volunteer.user)

    def urls():
        task = Task.objects.filter(building=world.building).first()
        check = WelfareCheck.objects.first()
        return [
            reverse("volunteers:today"),
            reverse("volunteers:task", args=[task.pk]),
            reverse("volunteers:welfare_check", args=[check.pk]),
        ]

    grow(world, volunteer, 0, 6)
    small = {url: count_queries(client, url) for url in urls()}
    grow(world, volunteer, 6, 54)
    large = {url: count_queries(client, url) for url in urls()}

    assert Task.objects.filter(building=world.building).count() == 60 + 20
    assert large == small


def test_an_index_finds_today_s_tasks_among_the_weeks_done_on_postgresql(on_postgres, world, volunteer):
    now = timezone.now()
    weeks_done = [
        Task(
            kind="parcel",
            source_key=f"{building.pk}:{n}",
            title="送快递",
            building=building,
            state=State.DONE,
            due_at=now,
        )
        for n in range(2000)
        for building in (world.building, world.other_building)
    ]
    Task.objects.bulk_create(weeks_done)
    for n in range(20):
        offer(world.building, f"a{n}")
        offer(world.other_building, f"b{n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE volunteers_task")

    plan = tasks_of_day(building_ids={world.building.pk}, user=volunteer.user, date=timezone.localdate()).explain()

    assert "task_building_state_due" in plan, plan


# Taking, giving back, done ---------------------------------------------------------------------------


def test_a_volunteer_takes_a_task_gives_it_back_and_marks_one_done_from_the_list(client, world, volunteer):
    task = offer(world.building, "a")
    client.force_login(volunteer.user)
    back = reverse("volunteers:today")

    took = client.post(reverse("volunteers:task_take", args=[task.pk]), {"next": back}, follow=True)
    assert "You took “送快递 a”." in took.content.decode()
    assert Task.objects.get(pk=task.pk).claimed_by == volunteer.user

    client.post(reverse("volunteers:task_give_back", args=[task.pk]), {"next": back})
    assert Task.objects.get(pk=task.pk).state == State.OPEN

    client.post(reverse("volunteers:task_take", args=[task.pk]))
    done = client.post(reverse("volunteers:task_done", args=[task.pk]), {"next": back}, follow=True)
    assert done.redirect_chain == [(back, 302)]
    assert Task.objects.get(pk=task.pk).state == State.DONE


def test_a_task_someone_took_first_is_refused_with_who_has_it(client, world, volunteer):
    task = offer(world.building, "a")
    task_list.task_claim(actor=make_volunteer(world, [world.building], name="李小红").user, task=task)
    client.force_login(volunteer.user)

    response = client.post(reverse("volunteers:task_take", args=[task.pk]), follow=True)

    assert "李小红 recorded “Taken” at" in response.content.decode()
    assert Task.objects.get(pk=task.pk).claimed_by.display_name == "李小红"


def test_a_welfare_check_is_done_by_recording_it_on_its_page(client, world, volunteer):
    living_alone(world.building)
    welfare_checks_offer(date=timezone.localdate())
    check = WelfareCheck.objects.select_related("task").get()
    task_list.task_claim(actor=volunteer.user, task=check.task)
    client.force_login(volunteer.user)

    response = client.post(reverse("volunteers:task_done", args=[check.task.pk]))

    assert response.url == reverse("volunteers:welfare_check", args=[check.pk])
    assert Task.objects.get(pk=check.task.pk).state == State.CLAIMED
    assert f'href="{check.task.link}">Record the check<' in today_page(client, volunteer.user)


def test_a_task_page_opens_its_app_s_own_page_and_lists_its_steps(client, world, volunteer):
    task = offer(world.building, "a", link="/supplies/parcels/7/")
    task_list.task_claim(actor=volunteer.user, task=task)
    client.force_login(volunteer.user)

    html = client.get(reverse("volunteers:task", args=[task.pk])).content.decode()

    assert 'href="/supplies/parcels/7/">Open its page<' in html
    assert ">Mark done<" in html
    assert ">Give back<" in html
    assert "Taken · 王小明" in html


def test_the_tasks_of_another_building_can_be_neither_seen_nor_moved(client, world, volunteer):
    task = offer(world.other_building, "a")
    client.force_login(volunteer.user)

    assert client.get(reverse("volunteers:task", args=[task.pk])).status_code == 404
    for name in ("volunteers:task_take", "volunteers:task_give_back", "volunteers:task_done"):
        assert client.post(reverse(name, args=[task.pk])).status_code == 404
    assert Task.objects.get(pk=task.pk).state == State.OPEN


@pytest.mark.parametrize(
    ("role", "today_status", "task_status", "check_status"),
    [
        (Role.STREET_ADMIN, 302, 200, 200),
        (Role.COMMITTEE_STAFF, 302, 200, 200),
        (Role.ZONE_LEADER, 302, 200, 200),
        (Role.BUILDING_LEADER, 302, 200, 200),
        (Role.VOLUNTEER, 302, 200, 200),
        ("far_staff", 302, 404, 404),
        ("volunteer_record", 200, 200, 200),
        ("anonymous", 302, 302, 302),
    ],
)
def test_each_role_against_each_phone_page(client, world, volunteer, role, today_status, task_status, check_status):
    living_alone(world.building)
    welfare_checks_offer(date=timezone.localdate())
    check = WelfareCheck.objects.get()
    users = {
        **world.users,
        "far_staff": user_with_role(Role.COMMITTEE_STAFF, world.other_community, username="far"),
        "volunteer_record": volunteer.user,
    }
    if role != "anonymous":
        client.force_login(users[role])

    statuses = [
        client.get(reverse("volunteers:today")).status_code,
        client.get(reverse("volunteers:task", args=[check.task_id])).status_code,
        client.get(reverse("volunteers:welfare_check", args=[check.pk])).status_code,
    ]

    assert statuses == [today_status, task_status, check_status]


# What a page weighs ----------------------------------------------------------------------------------


class Assets(HTMLParser):
    """The stylesheets, scripts and icons a page loads."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def test_every_phone_page_with_its_assets_weighs_far_under_150_kb(client, world, volunteer, settings):
    grow(world, volunteer, 0, 60)
    hold(volunteer, timezone.localdate())
    client.force_login(volunteer.user)
    check = WelfareCheck.objects.first()
    urls = [
        reverse("volunteers:today"),
        reverse("volunteers:task", args=[check.task_id]),
        reverse("volunteers:welfare_check", args=[check.pk]),
    ]

    for url in urls:
        html = client.get(url).content
        parser = Assets()
        parser.feed(html.decode())
        assets = sum(_static_size(asset, settings.STATIC_URL) for asset in parser.urls)
        # After the first visit the assets are in the browser's cache: only the page itself comes.
        assert len(html) < 40 * 1024, (url, len(html))
        assert len(html) + assets < PAGE_BUDGET / 2, (url, len(html), assets)


def _static_size(url, static_url):
    path = finders.find(url.removeprefix("/" + static_url.strip("/") + "/"))
    assert path, url
    with open(path, "rb") as file:
        return len(file.read())


def test_the_layout_s_assets_are_served_with_a_cache_lifetime(client):
    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "max-age=" in response.headers["Cache-Control"]
