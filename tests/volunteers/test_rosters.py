"""Shift templates stamped into a day's roster, and staff's roster page: watch it fill, move, take
off, close, publish and send it by SMS; each role against each page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import Role
from lockdown.core.errors import ServiceError
from tests.concurrency import at_once
from tests.households.factories import BuildingFactory
from tests.volunteers.factories import approved_volunteer
from tests.volunteers.shift_world import days_ahead, group, one_shift, outsiders, roster_of, template
from volunteers import rosters, signups
from volunteers.choices import Skill
from volunteers.models import Notice, Roster, Shift, ShiftTemplate, Signup

pytestmark = pytest.mark.django_db


def staff(world):
    return world.users[Role.COMMITTEE_STAFF]


def test_stamping_makes_one_shift_per_template_in_use_with_the_groups_rules(world):
    work = group(world, max_age=50, skills=[Skill.DRIVER])
    morning = template(world, work, name="上午配送", places=12)
    night = template(world, work, name="夜间值守", starts=(22, 0), ends=(6, 0))
    template(world, work, name="停用", active=False)
    date = days_ahead(1)

    roster, new = rosters.roster_stamp(compound=world.building.compound, date=date)
    again, none = rosters.roster_stamp(compound=world.building.compound, date=date)

    assert (new, none, again.pk) == (2, 0, roster.pk)
    assert roster.community == world.community
    shifts = {shift.template_id: shift for shift in roster.shifts.all()}
    first = shifts[morning.pk]
    zone = rosters.local_zone()
    assert first.starts_at == datetime.datetime.combine(date, datetime.time(7), zone)
    assert first.ends_at == datetime.datetime.combine(date, datetime.time(11), zone)
    assert (first.places, first.max_age, first.skills, first.meeting_point) == (12, 50, [Skill.DRIVER], "居委会门口")
    assert shifts[night.pk].ends_at == datetime.datetime.combine(
        date + datetime.timedelta(days=1), datetime.time(6), zone
    )


def test_a_template_added_later_adds_its_shift_to_the_roster(world):
    work = group(world)
    roster, _shifts = roster_of(world, template(world, work))
    late = template(world, work, name="下午配送", starts=(14, 0), ends=(18, 0))

    assert rosters.roster_stamp(compound=world.building.compound, date=roster.date)[1] == 1
    assert roster.shifts.filter(template=late).count() == 1


def test_stamping_a_compound_with_no_template_in_use_is_refused_and_makes_no_roster(client, world):
    compound = world.building.compound
    with pytest.raises(ServiceError, match="has no shift template in use"):
        rosters.roster_stamp(compound=compound, date=days_ahead(1))

    client.force_login(staff(world))
    response = client.post(reverse("volunteers:roster_stamp", args=[compound.pk]), {"date": days_ahead(1)}, follow=True)
    page = response.content.decode()
    assert "has no shift template in use" in page
    assert "has its shift on this roster already" not in page
    assert not Roster.objects.exists()


def test_stamp_tomorrow_everywhere_is_the_beat_tasks_work(world):
    template(world, group(world))
    assert rosters.stamp_tomorrow_everywhere() == 1
    assert rosters.stamp_tomorrow_everywhere() == 0
    assert Roster.objects.get().date == days_ahead(1)


@pytest.mark.django_db(transaction=True)
def test_stamping_twice_at_once_gives_one_shift_per_template(world, on_postgres):
    work = group(world)
    for index in range(5):
        template(world, work, name=f"班{index}", starts=(7 + index, 0), ends=(8 + index, 0))
    compound, date = world.building.compound, days_ahead(1)

    writers = at_once(*[lambda: rosters.roster_stamp(compound=compound, date=date)] * 2)

    assert [w.error for w in writers] == [None, None]
    assert Roster.objects.count() == 1
    assert Shift.objects.count() == 5


def test_a_template_refuses_bad_values(world):
    work = group(world)
    with pytest.raises(ServiceError, match="cannot end when it starts"):
        template(world, work, starts=(7, 0), ends=(7, 0))
    with pytest.raises(ServiceError, match="needs a name"):
        template(world, work, name="  ")
    with pytest.raises(ServiceError, match="of one community"):
        template(world, work, compound=world.far_building.compound)
    assert not ShiftTemplate.objects.exists()


def test_publishing_closes_the_sign_up_and_is_done_once(world):
    shift = one_shift(world)
    roster = rosters.roster_publish(roster=shift.roster, by=staff(world))

    assert roster.published_at
    assert roster.closed_at == roster.published_at
    assert roster.published_by == staff(world)
    with pytest.raises(ServiceError, match="published at"):
        rosters.roster_publish(roster=roster, by=staff(world))
    with pytest.raises(ServiceError, match="already closed"):
        rosters.roster_close(roster=roster)


def test_the_roster_sms_goes_to_each_holder_once_per_sending(world):
    shift = one_shift(world, places=2)
    holders = [approved_volunteer(world.building, name=n) for n in ("甲", "乙")]
    for volunteer in [*holders, approved_volunteer(world.building, name="候补")]:
        signups.signup_create(volunteer=volunteer, shift=shift)
    roster = shift.roster

    assert rosters.roster_sends(roster) == 0
    assert rosters.roster_notify(roster=roster, send=1) == 2
    assert rosters.roster_notify(roster=roster, send=1) == 0  # a double click
    assert rosters.roster_sends(roster) == 1
    assert rosters.roster_notify(roster=roster, send=2) == 2  # staff asked again

    keys = set(Notice.objects.values_list("key", flat=True))
    assert keys == {f"roster:{roster.pk}:{v.pk}:{n}" for v in holders for n in (1, 2)}
    assert set(Notice.objects.values_list("kind", flat=True)) == {Notice.Kind.ROSTER}
    assert Notice.objects.filter(params__name="甲").count() == 2


def test_a_volunteer_holding_two_shifts_gets_one_text_naming_both(world):
    work = group(world)
    _roster, shifts = roster_of(
        world,
        template(world, work, name="上午配送"),
        template(world, work, name="下午配送", starts=(14, 0), ends=(18, 0), meeting_point="北门"),
        date=days_ahead(2),
    )
    both = approved_volunteer(world.building, name="甲")
    for shift in shifts:
        Signup.objects.create(shift=shift, volunteer=both, state=Signup.State.HOLDING)

    assert rosters.roster_notify(roster=shifts[0].roster, send=1) == 1
    day = days_ahead(2)
    assert Notice.objects.get().params == {
        "name": "甲",
        "shift": "上午配送、下午配送",
        "when": f"{day.month}月{day.day}日07:00-11:00、14:00-18:00",
        "place": "居委会门口、北门",
    }


def test_a_roster_nobody_holds_sends_nothing(world):
    with pytest.raises(ServiceError, match="Nobody holds a place"):
        rosters.roster_notify(roster=one_shift(world).roster, send=1)


# Pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def filled(world):
    """The day after tomorrow's roster, open for sign-up at any hour the suite runs (tomorrow's closes at
    20:00 today), with two shifts: one full with a waiting list, one with a place."""
    work = group(world, max_age=60)
    roster, shifts = roster_of(
        world,
        template(world, work, name="上午配送", places=2),
        template(world, work, name="下午配送", starts=(14, 0), ends=(18, 0), places=3),
        date=days_ahead(2),
    )
    people = [approved_volunteer(world.building, name=n, mobile=f"1390000000{i}") for i, n in enumerate("甲乙丙")]
    for person in people:
        Signup.objects.create(shift=shifts[0], volunteer=person, state=Signup.State.HOLDING)
    Signup.objects.filter(volunteer=people[2]).update(state=Signup.State.WAITING)
    return roster, shifts, people


def roster_page(client, world, roster):
    return client.get(reverse("volunteers:roster", args=[world.building.compound.pk]), {"date": roster.date})


def test_staff_see_the_roster_fill_with_masked_mobiles(client, world, filled):
    roster, shifts, people = filled
    client.force_login(staff(world))

    page = roster_page(client, world, roster).content.decode()

    assert "2 / 2" in page
    assert "0 / 3" in page
    assert "甲" in page
    assert "丙" in page
    assert "13900000000" not in page
    assert "139****0000" in page
    assert "waiting 1" in page
    assert "Send SMS to everyone on the roster" in page
    assert [row.shift for row in roster_page(client, world, roster).context["board"]] == shifts
    default = client.get(reverse("volunteers:roster", args=[world.building.compound.pk])).context
    assert default["date"] == days_ahead(1)  # tomorrow unless the page is asked for another day


def test_the_roster_page_reads_in_the_same_queries_however_many_shifts_and_volunteers(client, world, filled):
    roster, shifts, _people = filled
    client.force_login(staff(world))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert roster_page(client, world, roster).status_code == 200
        return len(captured)

    few = queries()
    work = shifts[0].group
    for index in range(6):
        more = template(world, work, name=f"班{index}", starts=(6, index), ends=(20, 0), places=5)
        rosters.roster_stamp(compound=world.building.compound, date=roster.date)
        shift = roster.shifts.get(template=more)
        for _ in range(4):
            building = BuildingFactory(compound=world.building.compound, zone=world.zone)
            volunteer = approved_volunteer(building, skills=[Skill.DRIVER])
            Signup.objects.create(shift=shift, volunteer=volunteer, state=Signup.State.HOLDING)
    rosters.roster_notify(roster=roster, send=1)
    assert queries() == few


def test_the_roster_page_polls_for_changes(client, world, filled):
    roster, shifts, _people = filled
    client.force_login(staff(world))
    url = reverse("volunteers:roster_changes", args=[roster.pk])
    before = client.get(url).json()["signature"]

    signups.signup_create(volunteer=approved_volunteer(world.building), shift=shifts[1])

    assert client.get(url).json()["signature"] != before


def test_staff_stamp_close_publish_and_send_from_the_page(client, world, django_capture_on_commit_callbacks):
    template(world, group(world))
    compound = world.building.compound
    client.force_login(staff(world))
    date = days_ahead(2)  # still open after 20:00

    client.post(reverse("volunteers:roster_stamp", args=[compound.pk]), {"date": date})
    roster = Roster.objects.get(compound=compound, date=date)
    signups.signup_create(volunteer=approved_volunteer(world.building), shift=roster.shifts.get())
    client.post(reverse("volunteers:roster_close", args=[roster.pk]))
    client.post(reverse("volunteers:roster_publish", args=[roster.pk]))
    page = roster_page(client, world, roster).content.decode()
    assert re.search(r'name="send" value="1"', page)
    for _click in range(2):
        response = client.post(reverse("volunteers:roster_notify", args=[roster.pk]), {"send": "1"}, follow=True)

    roster.refresh_from_db()
    assert roster.closed_at
    assert roster.published_at
    assert Notice.objects.count() == 1
    assert "Already sent: nothing was sent twice." in response.content.decode()
    assert 'name="send" value="2"' in response.content.decode()


def test_staff_move_a_volunteer_and_the_page_says_over_its_places(client, world, filled):
    roster, (morning, afternoon), people = filled
    Shift.objects.filter(pk=afternoon.pk).update(places=1)
    Signup.objects.create(shift=afternoon, volunteer=approved_volunteer(world.building), state=Signup.State.HOLDING)
    mine = Signup.objects.get(volunteer=people[0])
    client.force_login(staff(world))
    url = reverse("volunteers:signup_move", args=[mine.pk])

    assert client.get(url).status_code == 200
    refused = client.post(url, {"shift": afternoon.pk})
    assert "is full (1 of 1)" in refused.content.decode()
    moved = client.post(url, {"shift": afternoon.pk, "over_places": "on"}, follow=True).content.decode()

    assert "That shift is now over its places." in moved
    assert "丙 moved up from the waiting list" in moved
    assert Signup.objects.get(volunteer=people[0], state=Signup.State.HOLDING).shift == afternoon


def test_staff_take_a_volunteer_off_and_the_first_waiting_moves_up(client, world, filled):
    roster, shifts, people = filled
    client.force_login(staff(world))
    mine = Signup.objects.get(volunteer=people[1])

    page = client.post(reverse("volunteers:signup_remove", args=[mine.pk]), follow=True).content.decode()

    assert "乙 is off the roster. 丙 moved up from the waiting list" in page
    assert Signup.objects.get(volunteer=people[2]).state == Signup.State.HOLDING


def test_templates_page_adds_and_changes_a_template(client, world):
    work = group(world)
    client.force_login(staff(world))
    url = reverse("volunteers:shift_templates", args=[world.community.pk])
    fields = {"group": work.pk, "compound": world.building.compound.pk, "name": "上午配送", "places": "10"}

    bad = client.post(url, fields | {"starts": "07:00", "ends": "07:00", "active": "on"})
    assert "A shift cannot end when it starts." in bad.content.decode()
    client.post(url, fields | {"starts": "07:00", "ends": "11:00", "active": "on"})
    made = ShiftTemplate.objects.get()
    client.post(reverse("volunteers:shift_template", args=[made.pk]), fields | {"starts": "08:00", "ends": "12:00"})

    made.refresh_from_db()
    assert (made.starts, made.ends, made.active) == (datetime.time(8), datetime.time(12), False)
    assert "上午配送" in client.get(url).content.decode()


def staff_pages(world, roster, signup):
    compound, community = world.building.compound, world.community
    return [
        ("get", reverse("volunteers:shift_templates", args=[community.pk])),
        ("get", reverse("volunteers:roster", args=[compound.pk])),
        ("get", reverse("volunteers:roster_changes", args=[roster.pk])),
        ("get", reverse("volunteers:signup_move", args=[signup.pk])),
        ("get", reverse("volunteers:hours", args=[community.pk])),
        ("post", reverse("volunteers:roster_stamp", args=[compound.pk])),
        ("post", reverse("volunteers:roster_close", args=[roster.pk])),
        ("post", reverse("volunteers:roster_publish", args=[roster.pk])),
        ("post", reverse("volunteers:roster_notify", args=[roster.pk])),
        ("post", reverse("volunteers:signup_remove", args=[signup.pk])),
    ]


def test_only_the_communitys_staff_and_street_reach_the_staff_pages(client, world, filled):
    roster, _shifts, people = filled
    signup = Signup.objects.get(volunteer=people[0])
    for user in outsiders(world, people[0].user):
        client.force_login(user)
        for method, url in staff_pages(world, roster, signup):
            assert getattr(client, method)(url).status_code == 404, (user, url)
    assert not Roster.objects.filter(closed_at__isnull=False).exists()
    assert Signup.objects.get(pk=signup.pk).state == Signup.State.HOLDING

    client.force_login(world.users[Role.STREET_ADMIN])
    for _method, url in staff_pages(world, roster, signup)[:5]:
        assert client.get(url).status_code == 200, url


def test_bad_input_on_the_roster_pages_says_so_and_changes_nothing(client, world, filled):
    roster, (morning, _afternoon), people = filled
    other_day, (elsewhere,) = roster_of(world, template(world, morning.group, name="别的日子"), date=days_ahead(3))
    client.force_login(staff(world))

    page = client.get(reverse("volunteers:roster", args=[world.building.compound.pk]), {"date": "2026-13-40"})
    assert page.status_code == 200
    assert page.context["date"] == days_ahead(1)
    assert "Enter a valid date." in page.content.decode()

    mine = Signup.objects.get(volunteer=people[0])
    moved = client.post(reverse("volunteers:signup_move", args=[mine.pk]), {"shift": elsewhere.pk})
    assert "Select a valid choice." in moved.content.decode()  # a shift of another roster
    assert client.post(reverse("volunteers:signup_move", args=[mine.pk]), {"shift": "9" * 30}).status_code == 200

    sent = client.post(reverse("volunteers:roster_notify", args=[roster.pk]), {"send": "0"}, follow=True)
    assert "Reload the page and send again." in sent.content.decode()

    url = reverse("volunteers:shift_templates", args=[world.community.pk])
    fields = {"group": morning.group.pk, "compound": world.building.compound.pk, "name": "x", "starts": "7:00"}
    refused = client.post(url, fields | {"ends": "25:00", "places": "0"})
    assert refused.context["form"].errors.keys() == {"ends", "places"}

    assert Signup.objects.get(pk=mine.pk).shift == morning
    assert not Notice.objects.exists()
    assert ShiftTemplate.objects.count() == 3


def test_a_roster_past_its_cut_off_reads_closed_without_staff_closing_it(client, world):
    roster, _shifts = roster_of(world, template(world, group(world)), date=days_ahead(0))
    client.force_login(staff(world))

    page = roster_page(client, world, roster).content.decode()

    assert "Sign-up closed" in page
    assert "Close sign-up" not in page
    assert "Sign-up open until" in roster_page(client, world, roster_of(world, date=days_ahead(2))[0]).content.decode()


def test_staff_set_the_compounds_evening_cut_off_and_sign_up_follows_it(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    compound = world.building.compound
    address = reverse("volunteers:cut_off", args=[compound.pk])
    assert client.post(address, {"closes_at": "21:30"}).status_code == 302
    roster = Roster.objects.create(compound=compound, community=world.community, date=datetime.date(2026, 12, 9))
    assert timezone.localtime(signups.closes_at(roster)).strftime("%m-%d %H:%M") == "12-08 21:30"
    page = client.post(address, {"closes_at": "25:00"}, follow=True).content.decode()
    assert "Enter a valid time." in page
    assert signups.cut_off_of(compound) == datetime.time(21, 30)
    client.force_login(world.users[Role.BUILDING_LEADER])
    assert client.post(address, {"closes_at": "06:00"}).status_code == 404
    assert signups.cut_off_of(compound) == datetime.time(21, 30)
