"""Next-day sign-up: the cut-off, places and the waiting list with its move-up and SMS, overlaps,
age limits and skills, and the same rules under 200 sign-ups at once on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from households.models import Role
from lockdown.core.errors import NotPermitted, ServiceError
from tests.concurrency import at_once
from tests.volunteers.factories import VolunteerFactory, approved_volunteer
from tests.volunteers.shift_world import cut_off, days_ahead, group, one_shift, roster_of, set_cut_off, template
from volunteers import rosters, signups
from volunteers.choices import Skill
from volunteers.models import Notice, Roster, Shift, Signup

State = Signup.State
pytestmark = pytest.mark.django_db


def sign_up(volunteer, shift, **kwargs):
    return signups.signup_create(volunteer=volunteer, shift=shift, **kwargs)


def states(shift):
    return list(
        Signup.objects.filter(shift=shift).order_by("signed_up_at", "pk").values_list("volunteer__name", "state")
    )


def test_a_full_shift_puts_the_next_ones_on_its_waiting_list_in_order(world):
    shift = one_shift(world, places=2)
    people = [approved_volunteer(world.building, name=name) for name in ("甲", "乙", "丙", "丁")]

    placed = [sign_up(person, shift) for person in people]

    assert [p.position for p in placed] == [None, None, 1, 2]
    assert states(shift) == [("甲", State.HOLDING), ("乙", State.HOLDING), ("丙", State.WAITING), ("丁", State.WAITING)]


def test_a_cancelled_place_goes_to_the_first_one_waiting_at_once_with_an_sms(world):
    shift = one_shift(world, places=1)
    holder, first, second = (
        approved_volunteer(world.building, name=name, mobile=m)
        for name, m in (("甲", "13900000001"), ("乙", "13900000002"), ("丙", "13900000003"))
    )
    mine = sign_up(holder, shift).signup
    waiting = sign_up(first, shift).signup
    sign_up(second, shift)

    moved_up = signups.signup_cancel(signup=mine)

    assert moved_up.pk == waiting.pk
    assert states(shift) == [("甲", State.CANCELLED), ("乙", State.HOLDING), ("丙", State.WAITING)]
    assert signups.position_of(Signup.objects.get(volunteer=second)) == 1
    notice = Notice.objects.get()
    assert (notice.key, notice.kind, notice.phone, notice.state) == (
        f"moved_up:{waiting.pk}",
        Notice.Kind.MOVED_UP,
        "13900000002",
        Notice.State.QUEUED,
    )
    start = shift.starts_at.astimezone(rosters.local_zone())
    assert notice.params == {
        "name": "乙",
        "shift": "上午配送",
        "when": f"{start.month}月{start.day}日07:00-11:00",
        "place": "居委会门口",
    }


def test_giving_up_a_place_in_line_moves_nobody_up(world):
    shift = one_shift(world, places=1)
    sign_up(approved_volunteer(world.building, name="甲"), shift)
    waiting = sign_up(approved_volunteer(world.building, name="乙"), shift).signup

    assert signups.signup_cancel(signup=waiting) is None
    assert states(shift) == [("甲", State.HOLDING), ("乙", State.CANCELLED)]
    assert not Notice.objects.exists()
    with pytest.raises(ServiceError, match="already cancelled"):
        signups.signup_cancel(signup=waiting)


def test_a_cancelled_volunteer_may_sign_up_again_at_the_end_of_the_line(world):
    shift = one_shift(world, places=1)
    first = approved_volunteer(world.building, name="甲")
    signups.signup_cancel(signup=sign_up(first, shift).signup)
    sign_up(approved_volunteer(world.building, name="乙"), shift)

    assert sign_up(first, shift).position == 1


def test_only_approved_volunteers_of_the_community_sign_up(world):
    shift = one_shift(world)
    pending = VolunteerFactory(community=world.community, compound=world.building.compound)
    far = approved_volunteer(world.far_building)

    with pytest.raises(NotPermitted, match="Only approved volunteers"):
        sign_up(pending, shift)
    with pytest.raises(NotPermitted, match="another community's"):
        sign_up(far, shift)
    assert not Signup.objects.exists()


def test_sign_up_closes_at_the_compounds_cut_off_on_the_evening_before(world):
    set_cut_off(world.building.compound, 18, 30)
    shift = one_shift(world)
    roster = shift.roster
    early, late = approved_volunteer(world.building, name="早"), approved_volunteer(world.building, name="晚")

    sign_up(early, shift, now=cut_off(roster, 18, 29))
    with pytest.raises(ServiceError) as refused:
        sign_up(late, shift, now=cut_off(roster, 18, 31))

    closed = cut_off(roster, 18, 30)
    assert refused.value.message == f"Sign-up for {roster.date:%m-%d} closed at {closed:%m-%d} 18:30."
    assert states(shift) == [("早", State.HOLDING)]
    # After the cut-off the volunteer cannot give the place back either; staff can.
    mine = Signup.objects.get(volunteer=early)
    with pytest.raises(ServiceError, match="closed at"):
        signups.signup_cancel(signup=mine, now=cut_off(roster, 18, 31))
    signups.signup_cancel(signup=mine, by_staff=True, now=cut_off(roster, 18, 31))


def test_the_cut_off_is_eight_in_the_evening_unless_the_compound_sets_one(world):
    shift = one_shift(world)
    volunteer = approved_volunteer(world.building)

    with pytest.raises(ServiceError, match="closed at .* 20:00"):
        sign_up(volunteer, shift, now=cut_off(shift.roster, 20, 1))
    sign_up(volunteer, shift, now=cut_off(shift.roster, 19, 59))


def test_a_closed_roster_takes_no_more_sign_ups(world):
    shift = one_shift(world)
    rosters.roster_close(roster=shift.roster)

    with pytest.raises(ServiceError, match="closed at"):
        sign_up(approved_volunteer(world.building), shift)
    assert not Signup.objects.exists()


def test_a_volunteer_holds_no_two_overlapping_shifts(world):
    work = group(world)
    morning = template(world, work, name="上午配送", starts=(7, 0), ends=(11, 0))
    late_morning = template(world, work, name="核酸采样", starts=(10, 0), ends=(12, 0))
    afternoon = template(world, work, name="下午配送", starts=(11, 0), ends=(14, 0))
    _roster, (first, clashing, next_one) = roster_of(world, morning, late_morning, afternoon)
    volunteer = approved_volunteer(world.building)
    sign_up(volunteer, first)

    with pytest.raises(ServiceError) as refused:
        sign_up(volunteer, clashing)
    sign_up(volunteer, next_one)  # starts as the first ends: no overlap

    assert refused.value.message.startswith(f"This shift overlaps 上午配送 {signups.when(first.starts_at)}-11:00")
    assert not Signup.objects.filter(shift=clashing).exists()


def test_a_place_in_line_counts_as_a_shift_for_overlaps(world):
    work = group(world)
    _roster, (full, other) = roster_of(
        world, template(world, work, name="满", places=1), template(world, work, name="另", starts=(8, 0), ends=(9, 0))
    )
    sign_up(approved_volunteer(world.building), full)
    volunteer = approved_volunteer(world.building)
    assert sign_up(volunteer, full).position == 1

    with pytest.raises(ServiceError, match="overlaps 满"):
        sign_up(volunteer, other)


def test_a_night_shift_ends_the_next_morning_and_overlaps_it(world):
    work = group(world)
    night = template(world, work, name="夜间值守", starts=(22, 0), ends=(6, 0))
    early = template(world, work, name="早班", starts=(5, 0), ends=(8, 0))
    date = days_ahead(2)
    _roster, (night_shift,) = roster_of(world, night, date=date)
    _next, (early_shift,) = roster_of(world, early, date=date + datetime.timedelta(days=1))
    volunteer = approved_volunteer(world.building)

    assert night_shift.ends_at - night_shift.starts_at == datetime.timedelta(hours=8)
    sign_up(volunteer, night_shift)
    with pytest.raises(ServiceError, match="overlaps 夜间值守"):
        sign_up(volunteer, early_shift, now=cut_off(night_shift.roster, 12))


def test_a_shifts_age_limit_and_skills_hold(world):
    door_to_door = one_shift(world, max_age=50, skills=[Skill.SUIT_TRAINED])
    insisting = approved_volunteer(world.building, name="老李", age=79, skills=[Skill.SUIT_TRAINED])
    untrained = approved_volunteer(world.building, name="小王", age=28)

    with pytest.raises(ServiceError) as too_old:
        sign_up(insisting, door_to_door)
    with pytest.raises(ServiceError) as no_skill:
        sign_up(untrained, door_to_door)

    assert too_old.value.message == "This shift takes volunteers up to 50; you are 79."
    assert no_skill.value.message == "This shift needs Trained in protective suits, which you have not registered."
    assert not Signup.objects.exists()


def test_a_shift_takes_volunteers_from_its_youngest_age(world):
    shift = one_shift(world, min_age=18)
    with pytest.raises(ServiceError, match="This shift takes volunteers from 18; you are 16."):
        sign_up(approved_volunteer(world.building, age=16), shift)


def test_the_groups_rules_are_copied_when_stamped(world):
    shift = one_shift(world, max_age=50)
    shift.group.max_age = 40  # changed after the roster was stamped
    shift.group.save()
    sign_up(approved_volunteer(world.building, age=45), shift)  # the shift keeps its own limit


def test_signing_up_twice_says_they_have_it_already(world):
    shift = one_shift(world, places=1)
    holder, waiting = approved_volunteer(world.building), approved_volunteer(world.building)
    sign_up(holder, shift)
    sign_up(waiting, shift)

    with pytest.raises(ServiceError, match="You already have a place on 上午配送"):
        sign_up(holder, shift)
    with pytest.raises(ServiceError, match="already on the waiting list of 上午配送 .*, number 1 in line"):
        sign_up(waiting, shift)
    assert Signup.objects.count() == 2


def test_staff_move_a_volunteer_over_a_full_shifts_places_only_when_they_say_so(world):
    work = group(world)
    _roster, (morning, other) = roster_of(
        world,
        template(world, work, name="上午配送", places=1),
        template(world, work, name="楼道值守", starts=(7, 0), ends=(11, 0), places=1),
    )
    mover, waiting, taken = (approved_volunteer(world.building, name=n) for n in ("甲", "乙", "丙"))
    signup = sign_up(mover, morning).signup
    sign_up(waiting, morning)
    sign_up(taken, other)

    with pytest.raises(ServiceError, match="楼道值守 .* is full \\(1 of 1\\)"):
        signups.signup_move(signup=signup, to_shift=other)
    moved = signups.signup_move(signup=signup, to_shift=other, over_places=True)

    assert moved.over_places
    assert moved.moved_up.volunteer == waiting  # the place left on the first shift
    assert states(other) == [("丙", State.HOLDING), ("甲", State.HOLDING)]
    assert states(morning) == [("甲", State.CANCELLED), ("乙", State.HOLDING)]
    assert Notice.objects.filter(kind=Notice.Kind.MOVED_UP).count() == 1


def test_a_move_still_refuses_overlaps_and_the_shifts_limits(world):
    work = group(world)
    strict = group(world, name="入户消杀", max_age=50)
    _roster, (morning, noon, lunch, door) = roster_of(
        world,
        template(world, work, name="上午配送"),
        template(world, work, name="中午配送", starts=(11, 0), ends=(13, 0)),
        template(world, work, name="午饭", starts=(12, 0), ends=(14, 0)),
        template(world, strict, name="入户", starts=(15, 0), ends=(17, 0)),
    )
    volunteer = approved_volunteer(world.building, name="老李", age=79)
    signup = sign_up(volunteer, morning).signup
    sign_up(volunteer, lunch)

    with pytest.raises(ServiceError, match="老李 is on 午饭 .* at that time already: take them off it first"):
        signups.signup_move(signup=signup, to_shift=noon, over_places=True)
    with pytest.raises(ServiceError, match="老李 is 79: this shift takes volunteers up to 50."):
        signups.signup_move(signup=signup, to_shift=door, over_places=True)
    assert states(morning) == [("老李", State.HOLDING)]


# The volunteer's phone ------------------------------------------------------------------------------


def my_shifts(client, date, **kwargs):
    return client.get(reverse("volunteers:my_shifts"), {"date": date.isoformat()}, **kwargs)


def test_the_phone_page_signs_up_puts_in_line_and_cancels(client, world):
    shift = one_shift(world, places=1)
    sign_up(approved_volunteer(world.building, name="甲"), shift)
    volunteer = approved_volunteer(world.building, name="乙")
    client.force_login(volunteer.user)
    date = shift.roster.date

    page = my_shifts(client, date).content.decode()
    assert "full: waiting list" in page
    assert "Join the waiting list" in page
    answer = client.post(reverse("volunteers:sign_up", args=[shift.pk]), follow=True).content.decode()
    assert "is full: you are on its waiting list, number 1 in line" in answer
    assert "Waiting list, number 1 in line" in answer
    assert 'class="mobile"' in answer  # the phone layout

    again = client.post(reverse("volunteers:sign_up", args=[shift.pk]), follow=True).content.decode()
    assert "already on the waiting list" in again
    mine = Signup.objects.get(volunteer=volunteer)
    client.post(reverse("volunteers:cancel_signup", args=[mine.pk]))
    assert Signup.objects.get(pk=mine.pk).state == State.CANCELLED


def test_the_phone_page_says_what_keeps_a_volunteer_out_before_they_tap(client, world):
    work = group(world, max_age=50)
    _roster, (first, clashing) = roster_of(
        world, template(world, work, name="上午配送"), template(world, work, name="核酸", starts=(9, 0), ends=(12, 0))
    )
    old = approved_volunteer(world.building, name="老李", age=79)
    client.force_login(old.user)
    assert "This shift takes volunteers up to 50; you are 79." in my_shifts(client, first.roster.date).content.decode()

    young = approved_volunteer(world.building, name="小王", age=30)
    sign_up(young, first)
    client.force_login(young.user)
    page = my_shifts(client, first.roster.date).content.decode()
    assert "This shift overlaps 上午配送" in page
    assert f'action="{reverse("volunteers:sign_up", args=[clashing.pk])}"' not in page


def test_a_closed_roster_offers_no_waiting_list_and_asks_nobody_to_give_a_shift_up(client, world):
    work = group(world)
    _roster, (first, clashing) = roster_of(
        world,
        template(world, work, name="上午配送", places=1),
        template(world, work, name="核酸", starts=(9, 0), ends=(12, 0)),
    )
    sign_up(approved_volunteer(world.building, name="甲"), first)
    late = approved_volunteer(world.building, name="小王")
    sign_up(late, clashing)
    rosters.roster_close(roster=first.roster)
    client.force_login(late.user)

    page = my_shifts(client, first.roster.date).content.decode()

    assert "full: waiting list" not in page
    assert "give that one up first" not in page
    assert "Sign-up closed at" in page


def test_after_publishing_the_volunteer_sees_tomorrows_shift(client, world):
    shift = one_shift(world)
    roster = shift.roster
    Roster.objects.filter(pk=roster.pk).update(date=days_ahead(1))
    day = datetime.timedelta(days=1)
    Shift.objects.filter(pk=shift.pk).update(starts_at=F("starts_at") - day, ends_at=F("ends_at") - day)
    volunteer = approved_volunteer(world.building)
    Signup.objects.create(shift=shift, volunteer=volunteer, state=State.HOLDING)
    rosters.roster_publish(roster=roster, by=world.users[Role.COMMITTEE_STAFF])
    client.force_login(volunteer.user)

    page = client.get(reverse("volunteers:my_shifts")).content.decode()

    assert "Tomorrow you're on 物资配送 · 上午配送, 07:00–11:00." in page
    assert "Meeting at 居委会门口" in page


def test_the_phone_page_reads_in_the_same_queries_however_many_shifts(client, world, django_assert_max_num_queries):
    work = group(world)
    roster, _shifts = roster_of(world, template(world, work))
    volunteer = approved_volunteer(world.building)
    client.force_login(volunteer.user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert my_shifts(client, roster.date).status_code == 200
        return len(captured)

    few = queries()
    for index in range(8):
        template(world, work, name=f"班{index}", starts=(12 + index, 0), ends=(13 + index, 0), places=2)
    rosters.roster_stamp(compound=world.building.compound, date=roster.date)
    for shift in roster.shifts.all()[:4]:
        sign_up(volunteer, shift)
        sign_up(approved_volunteer(world.building), shift)
    assert queries() == few


def test_only_a_volunteer_has_the_phone_page_and_only_their_own_sign_ups(client, world):
    shift = one_shift(world)
    someone = sign_up(approved_volunteer(world.building), shift).signup
    far_shift_volunteer = approved_volunteer(world.far_building)
    for user in (world.users[Role.COMMITTEE_STAFF], world.users[Role.BUILDING_LEADER], world.users[Role.ZONE_LEADER]):
        client.force_login(user)
        assert client.get(reverse("volunteers:my_shifts")).status_code == 404
        assert client.post(reverse("volunteers:sign_up", args=[shift.pk])).status_code == 404
    client.force_login(far_shift_volunteer.user)
    assert client.post(reverse("volunteers:sign_up", args=[shift.pk])).status_code == 404  # another community's
    assert client.post(reverse("volunteers:cancel_signup", args=[someone.pk])).status_code == 404
    assert Signup.objects.get(pk=someone.pk).state == State.HOLDING
    assert Signup.objects.count() == 1


# Many at once, on PostgreSQL -------------------------------------------------------------------------


def crowd(works, at_most=32):
    """Run each work in a thread of its own, all released at one moment; at most `at_most` of them
    hold a connection at a time (the shared server takes 100). Returns (results, errors)."""
    barrier, gate = threading.Barrier(len(works)), threading.BoundedSemaphore(at_most)
    results, errors = [None] * len(works), [None] * len(works)

    def run(index, work):
        translation.activate("en")
        barrier.wait()
        with gate:
            try:
                results[index] = work()
            except Exception as error:  # noqa: BLE001 - the test asserts on it
                errors[index] = error
            finally:
                connections.close_all()

    threads = [threading.Thread(target=run, args=(i, work), daemon=True) for i, work in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_200_sign_ups_at_once_for_20_places_fill_20_and_put_180_in_line(world, on_postgres):
    shift = one_shift(world, places=20)
    people = [approved_volunteer(world.building) for _ in range(200)]

    results, errors = crowd([lambda person=person: sign_up(person, shift) for person in people])

    assert errors == [None] * 200
    rows = Signup.objects.filter(shift=shift)
    assert rows.count() == 200  # none lost
    assert rows.filter(state=State.HOLDING).count() == 20
    assert rows.filter(state=State.WAITING).count() == 180
    assert sorted(r.position for r in results if r.position) == list(range(1, 181))
    assert set(rows.values_list("volunteer_id", flat=True)) == {p.pk for p in people}


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_sign_ups_of_one_volunteer_at_once_give_one(world, on_postgres):
    work = group(world)
    _roster, (first, second) = roster_of(
        world, template(world, work, name="甲班"), template(world, work, name="乙班", starts=(8, 0), ends=(12, 0))
    )
    volunteer = approved_volunteer(world.building)

    writers = at_once(lambda: sign_up(volunteer, first), lambda: sign_up(volunteer, second))

    assert sorted(type(w.error).__name__ for w in writers) == ["NoneType", "ServiceError"]
    assert "overlaps" in next(w.error for w in writers if w.error).message
    assert Signup.objects.filter(volunteer=volunteer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_cancel_and_a_sign_up_at_once_never_overfill(world, on_postgres):
    shift = one_shift(world, places=1)
    holder, newcomer, waiting = (approved_volunteer(world.building) for _ in range(3))
    mine = sign_up(holder, shift).signup
    sign_up(waiting, shift)

    at_once(lambda: signups.signup_cancel(signup=mine), lambda: sign_up(newcomer, shift))

    assert Signup.objects.filter(shift=shift, state=State.HOLDING).get().volunteer == waiting
    assert Signup.objects.get(volunteer=newcomer).state == State.WAITING
