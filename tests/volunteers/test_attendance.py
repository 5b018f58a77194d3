"""The morning's check-in: present, trained today, suit issued (counted), checked out; by staff or
by a leader of the shift's group, on the phone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Role
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from tests.volunteers.factories import approved_volunteer
from tests.volunteers.shift_world import group, outsiders, roster_of, template
from volunteers import attendance, groups
from volunteers.models import Signup

pytestmark = pytest.mark.django_db
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def today(world):
    """Today's roster: a delivery shift with two volunteers on it (one led by 组长), and a stairwell
    shift of another group."""
    delivery, stairs = group(world, name="物资配送"), group(world, name="楼道值守")
    roster, (morning, stairwell) = roster_of(
        world,
        template(world, delivery, name="上午配送"),
        template(world, stairs, name="楼道", starts=(6, 0), ends=(9, 0)),
        date=timezone.localdate(),
    )
    leader, worker, other = (approved_volunteer(world.building, name=n) for n in ("组长", "小王", "小李"))
    groups.members_add(delivery, [leader, worker])
    groups.member_lead(delivery, leader, True)
    signups = {
        person.name: Signup.objects.create(shift=shift, volunteer=person, state=Signup.State.HOLDING)
        for person, shift in ((leader, morning), (worker, morning), (other, stairwell))
    }
    return roster, signups, leader


def mark(signup, what):
    return attendance.attendance_mark(signup=signup, mark=what)


def test_a_volunteer_is_checked_in_trained_suited_and_checked_out(world, today):
    _roster, signups, _leader = today
    signup = signups["小王"]

    with pytest.raises(ServiceError, match="Check the volunteer in first"):
        mark(signup, "suit")
    present = mark(signup, "present")
    again = mark(signup, "present")  # a second tap keeps the first time
    mark(signup, "trained")
    mark(signup, "suit")
    out = mark(signup, "out")

    assert present.checked_in_at == again.checked_in_at
    assert (out.trained, out.suit_issued) == (True, True)
    assert out.checked_out_at >= out.checked_in_at
    with pytest.raises(ServiceError, match="undo the check-out first"):
        mark(signup, "absent")
    assert mark(signup, "back_in").checked_out_at is None
    absent = mark(signup, "absent")
    assert (absent.checked_in_at, absent.trained, absent.suit_issued) == (None, False, False)


def test_only_a_holder_is_checked_in(world, today):
    _roster, signups, _leader = today
    Signup.objects.filter(pk=signups["小李"].pk).update(state=Signup.State.CANCELLED)
    with pytest.raises(ServiceError, match="no longer holds a place"):
        mark(signups["小李"], "present")
    with pytest.raises(ServiceError, match="Choose what to record"):
        mark(signups["小王"], "dance")


def test_nobody_is_checked_in_for_a_day_still_to_come_and_a_past_day_can_be_put_right(client, world):
    work = group(world)
    _r, (tomorrow,) = roster_of(world, template(world, work), date=timezone.localdate() + ONE_DAY)
    _r, (yesterday,) = roster_of(world, template(world, work, name="昨日"), date=timezone.localdate() - ONE_DAY)
    person = approved_volunteer(world.building)
    early = Signup.objects.create(shift=tomorrow, volunteer=person, state=Signup.State.HOLDING)
    late = Signup.objects.create(shift=yesterday, volunteer=person, state=Signup.State.HOLDING)

    with pytest.raises(ServiceError, match="check-in opens on its day"):
        mark(early, "present")
    assert Signup.objects.get(pk=early.pk).checked_in_at is None
    assert mark(late, "present").checked_in_at is not None
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("volunteers:check_in", args=[world.building.compound.pk])
    page = client.get(url, {"date": tomorrow.roster.date}).content.decode()
    assert "check-in opens on its day" in page
    assert reverse("volunteers:attendance_mark", args=[early.pk]) not in page


def test_suits_issued_today_are_counted_per_compound(world, today):
    roster, signups, _leader = today
    for name in ("小王", "小李"):
        mark(signups[name], "present")
        mark(signups[name], "suit")
    assert attendance.suits_issued(world.community.pk, roster.date) == {world.building.compound_id: 2}


def test_a_suit_marked_on_two_shifts_of_one_volunteer_s_day_is_one_suit(world, today):
    roster, signups, _leader = today
    worker = signups["小王"].volunteer
    afternoon = roster.shifts.create(
        group=signups["小王"].shift.group,
        name="下午配送",
        starts_at=signups["小王"].shift.ends_at + datetime.timedelta(hours=3),
        ends_at=signups["小王"].shift.ends_at + datetime.timedelta(hours=7),
        places=5,
    )
    second = Signup.objects.create(shift=afternoon, volunteer=worker, state=Signup.State.HOLDING)
    for signup in (signups["小王"], second):
        mark(signup, "present")
        mark(signup, "suit")
    assert attendance.suits_issued(world.community.pk, roster.date) == {world.building.compound_id: 1}


def test_staff_and_the_groups_leaders_check_in_and_no_one_else(world, today):
    roster, signups, leader = today
    morning, stairwell = signups["小王"].shift, signups["小李"].shift
    staff = world.users[Role.COMMITTEE_STAFF]

    attendance.require_may_check_in(AreaScope.for_user(staff), staff, stairwell)
    attendance.require_may_check_in(AreaScope.for_user(leader.user), leader.user, morning)
    with pytest.raises(NotPermitted):
        attendance.require_may_check_in(AreaScope.for_user(leader.user), leader.user, stairwell)
    worker = signups["小王"].volunteer.user
    with pytest.raises(NotPermitted):
        attendance.require_may_check_in(AreaScope.for_user(worker), worker, morning)


def test_the_check_in_page_by_role(client, world, today):
    roster, signups, leader = today
    url = reverse("volunteers:check_in", args=[world.building.compound.pk])

    client.force_login(leader.user)
    page = client.get(url)
    assert [row.shift.name for row in page.context["board"]] == ["上午配送"]  # the leader's group only
    response = client.post(reverse("volunteers:attendance_mark", args=[signups["小王"].pk]), {"mark": "present"})
    assert response.status_code == 302
    assert Signup.objects.get(pk=signups["小王"].pk).checked_in_at
    not_led = reverse("volunteers:attendance_mark", args=[signups["小李"].pk])
    assert client.post(not_led, {"mark": "present"}).status_code == 404

    client.force_login(world.users[Role.COMMITTEE_STAFF])
    page = client.get(url)
    assert [row.shift.name for row in page.context["board"]] == ["楼道", "上午配送"]
    assert "Protective suits issued on the day, 金杨新村" in page.content.decode()

    for user in outsiders(world, signups["小王"].volunteer.user):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.post(not_led, {"mark": "present"}).status_code == 404, user
    assert Signup.objects.get(pk=signups["小李"].pk).checked_in_at is None


def test_a_refused_tap_says_why_with_the_volunteers_name(client, world, today):
    _roster, signups, _leader = today
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    response = client.post(
        reverse("volunteers:attendance_mark", args=[signups["小王"].pk]), {"mark": "suit"}, follow=True
    )
    assert "小王: Check the volunteer in first." in response.content.decode()
