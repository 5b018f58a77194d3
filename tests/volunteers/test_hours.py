"""Hours from check-in to check-out, per volunteer and per group, by day and in total; a check-in
without a check-out is listed, not counted."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import Role
from tests.volunteers.factories import approved_volunteer
from tests.volunteers.shift_world import group, outsiders, roster_of, template
from volunteers import hours
from volunteers.models import Signup

pytestmark = pytest.mark.django_db


def worked(shift, volunteer, hours_worked=None):
    """The volunteer on the shift, checked in at its start and out `hours_worked` later (or not)."""
    out = shift.starts_at + datetime.timedelta(hours=hours_worked) if hours_worked is not None else None
    return Signup.objects.create(
        shift=shift, volunteer=volunteer, state=Signup.State.HOLDING, checked_in_at=shift.starts_at, checked_out_at=out
    )


@pytest.fixture
def two_days(world):
    """Yesterday and today: 小王 works deliveries both days, 小李 a stairwell shift and a shift
    never checked out."""
    delivery, stairs = group(world, name="物资配送"), group(world, name="楼道值守")
    morning = template(world, delivery, name="上午配送")
    stairwell = template(world, stairs, name="楼道", starts=(13, 0), ends=(17, 0))
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    wang, li = approved_volunteer(world.building, name="小王"), approved_volunteer(world.building, name="小李")
    _r, (first, first_stairs) = roster_of(world, morning, stairwell, date=yesterday)
    _r, (second, second_stairs) = roster_of(world, morning, stairwell, date=today)
    worked(first, wang, 4)
    worked(second, wang, 3.5)
    worked(first_stairs, li, 2.25)
    left_open = worked(second_stairs, li)
    return yesterday, today, wang, li, left_open


def test_hours_per_volunteer_and_group_by_day_and_in_total(world, two_days):
    yesterday, today, wang, li, left_open = two_days

    by_volunteer = hours.hours_by_volunteer(world.community, yesterday, today)
    by_group = hours.hours_by_group(world.community, yesterday, today)

    assert [(row.name, row.days, row.total) for row in by_volunteer] == [
        ("小王", {yesterday: 4.0, today: 3.5}, 7.5),
        ("小李", {yesterday: 2.25}, 2.25),
    ]
    assert [(row.name, row.days, row.total) for row in by_group] == [
        ("物资配送", {yesterday: 4.0, today: 3.5}, 7.5),
        ("楼道值守", {yesterday: 2.25}, 2.25),
    ]
    assert hours.day_totals(by_group) == {yesterday: 6.25, today: 3.5}
    assert list(hours.not_checked_out(world.community, yesterday, today)) == [left_open]
    assert hours.hours_by_volunteer(world.community, today, today)[0].days == {today: 3.5}


def test_the_hours_page_lists_both_tables_and_who_was_not_checked_out(client, world, two_days):
    yesterday, today, *_rest = two_days
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("volunteers:hours", args=[world.community.pk])

    page = client.get(url).content.decode()

    assert "7.5" in page
    assert "6.25" in page
    assert "Checked in, not checked out" in page
    bad = client.get(url, {"date_from": today.isoformat(), "date_to": yesterday.isoformat()})
    assert "The last day is before the first." in bad.content.decode()


def test_the_hours_page_reads_in_the_same_queries_however_many_volunteers(client, world, two_days):
    yesterday, today, *_rest = two_days
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("volunteers:hours", args=[world.community.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    work = group(world, name="核酸采样")
    for offset in range(3):
        _r, (shift,) = roster_of(world, template(world, work, name=f"采样{offset}"), date=yesterday)
        for _ in range(5):
            worked(shift, approved_volunteer(world.building), 2)
            worked(shift, approved_volunteer(world.building))
    assert queries() == few


def test_only_the_communitys_staff_see_the_hours(client, world, two_days):
    url = reverse("volunteers:hours", args=[world.community.pk])
    for user in outsiders(world):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ({"date_from": "2026-02-30"}, "Enter a valid date"),
        ({"date_from": "2026-12-09", "date_to": "2026-12-01"}, "The last day is before the first"),
        ({"date_from": "2026-01-01", "date_to": "2026-06-01"}, "at most two months"),
    ],
)
def test_the_hours_page_says_what_is_wrong_with_the_days_asked(client, world, two_days, asked, said):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    response = client.get(reverse("volunteers:hours", args=[world.community.pk]), asked)

    assert said in response.content.decode()
    assert "by_volunteer" not in response.context
