"""The daily welfare check of residents living alone: offered once a day whatever the retries, recorded
by the building's volunteer on the phone (the task done with it), alerts on staff's pages until
handled, the checks not done by evening listed, and nobody outside the building seeing them."""

import datetime
import re
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households import services as register
from households.models import Presence, Role, RoleAssignment, Tag
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost
from tests.concurrency import at_once
from tests.conftest import eventually
from tests.households.factories import ResidentTagFactory, user_with_role
from volunteers import task_list
from volunteers.models import Task, TaskEvent, WelfareCheck
from volunteers.tasks import offer_welfare_checks_task
from volunteers.welfare import KIND, welfare_check_handle, welfare_check_record, welfare_checks_offer

from .phone_world import living_alone, make_volunteer

Outcome = WelfareCheck.Outcome
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def alone(world):
    """张三 of 12-3-501 lives alone; 李四 of building 13 too; 王五 of the other community too."""
    for resident in (world.resident, world.other_resident, world.far_resident):
        ResidentTagFactory(resident=resident, tag=Tag.ALONE)
    return world


@pytest.fixture
def volunteer(world):
    return make_volunteer(world, [world.building], name="王小明").user


@pytest.fixture
def offered(alone, today):
    welfare_checks_offer(date=today)
    return WelfareCheck.objects.select_related("task").get(resident=alone.resident, date=today)


def state_of(check):
    check = WelfareCheck.objects.select_related("task").get(pk=check.pk)
    return check.outcome, check.note, check.checked_by, check.task.state, check.task.claimed_by


# Offering ---------------------------------------------------------------------------------------------


def at(monkeypatch, day, hour, minute=0):
    """The clock at `hour` local time on `day`."""
    now = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: now)


def test_each_current_resident_living_alone_gets_one_check_and_one_task_due_at_noon(alone, today, monkeypatch):
    at(monkeypatch, today, 6)  # the beat task's hour
    moved_out = living_alone(alone.building, name="周")[0]
    moved_out.presence = Presence.MOVED_OUT
    moved_out.save()

    offered = welfare_checks_offer(date=today)

    checks = WelfareCheck.objects.filter(date=today).select_related("task")
    assert offered == 3
    assert {c.resident.name for c in checks} == {"张三", "李四", "王五"}
    check = checks.get(resident=alone.resident)
    task = check.task
    assert (task.kind, task.source_key, task.building) == (KIND, f"{today}:{alone.resident.pk}", alone.building)
    assert (task.title, task.place, task.state) == ("Welfare check: 张三", "12-3-501", Task.State.OPEN)
    assert task.due_at == datetime.datetime.combine(today, datetime.time(12), tzinfo=SHANGHAI)
    assert task.link == reverse("volunteers:welfare_check", args=[check.pk])
    assert (check.building, check.community) == (alone.building, alone.community)
    assert list(TaskEvent.objects.filter(task=task).values_list("from_state", "to_state")) == [("", "open")]


@pytest.mark.parametrize(("offered_at", "due"), [((6, 0), (12, 0)), ((14, 30), (17, 30)), ((22, 0), (23, 59))])
def test_checks_offered_later_in_the_day_are_due_three_hours_later_that_day(alone, today, monkeypatch, offered_at, due):
    at(monkeypatch, today, *offered_at)
    welfare_checks_offer(date=today)

    task = WelfareCheck.objects.select_related("task").get(resident=alone.resident).task
    assert task.due_at == datetime.datetime.combine(today, datetime.time(*due), tzinfo=SHANGHAI)


def test_offering_the_day_again_offers_nothing_more(alone, today):
    first = welfare_checks_offer(date=today)
    again = welfare_checks_offer(date=today)
    tomorrow = welfare_checks_offer(date=today + datetime.timedelta(days=1))

    assert (first, again, tomorrow) == (3, 0, 3)
    assert WelfareCheck.objects.count() == Task.objects.count() == 6
    assert TaskEvent.objects.count() == 6 + 3  # each offered; today's withdrawn when tomorrow's came


def test_the_room_of_a_check_names_its_compound_where_the_community_has_two(two_compounds, today):
    ResidentTagFactory(resident=two_compounds.second_resident, tag=Tag.ALONE)

    welfare_checks_offer(date=today)

    assert Task.objects.get().place == "金杨二村 12-3-501"


def test_staff_offer_the_checks_of_their_community_only(alone, today):
    welfare_checks_offer(date=today, communities=[alone.community])

    assert set(WelfareCheck.objects.values_list("community", flat=True)) == {alone.community.pk}


def test_offering_a_street_s_checks_takes_as_many_queries_for_60_residents_as_for_6(world, today):
    living_alone(world.building, 6)
    welfare_checks_offer(date=today - datetime.timedelta(days=1))  # both days below withdraw a day's
    with CaptureQueriesContext(connection) as small:
        assert welfare_checks_offer(date=today) == 6

    living_alone(world.building, 54, start=6)
    with CaptureQueriesContext(connection) as large:
        assert welfare_checks_offer(date=today + datetime.timedelta(days=1)) == 60

    assert len(large) == len(small)


@pytest.mark.django_db(transaction=True)
def test_offering_four_times_at_once_on_postgresql_gives_one_check_and_one_task_each(on_postgres, alone, today):
    living_alone(alone.building, 20)

    writers = at_once(*(lambda: welfare_checks_offer(date=today) for _ in range(4)))

    assert [w.error for w in writers] == [None] * 4
    assert sum(w.result for w in writers) == 23
    assert WelfareCheck.objects.filter(date=today, task__isnull=False).count() == 23
    assert Task.objects.filter(kind=KIND).count() == 23
    assert TaskEvent.objects.count() == 23


@pytest.mark.django_db(transaction=True)
def test_the_morning_beat_task_offers_today_s_checks_in_a_worker(alone, celery_worker, today):
    schedule = settings.CELERY_BEAT_SCHEDULE["offer-welfare-checks"]
    assert schedule["task"] == offer_welfare_checks_task.name
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({6}, {0})

    offer_welfare_checks_task.delay()

    assert eventually(lambda: WelfareCheck.objects.filter(date=today, task__isnull=False).count() == 3)


def test_staff_s_button_offers_today_s_checks_and_volunteers_have_no_button(client, alone, today):
    client.force_login(alone.users[Role.VOLUNTEER])
    assert client.post(reverse("volunteers:welfare_offer")).status_code == 404
    assert not WelfareCheck.objects.exists()

    client.force_login(alone.users[Role.COMMITTEE_STAFF])
    response = client.post(reverse("volunteers:welfare_offer"), follow=True)
    again = client.post(reverse("volunteers:welfare_offer"), follow=True)

    assert "2 welfare checks offered to the volunteers." in response.content.decode()
    assert "welfare checks were all offered already." in again.content.decode()
    assert set(WelfareCheck.objects.values_list("resident__name", flat=True)) == {"张三", "李四"}


# Recording --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "note"), [(Outcome.WELL, ""), (Outcome.NEEDS, "降压药快吃完了"), (Outcome.NO_ANSWER, "敲门三次")]
)
def test_the_building_s_volunteer_records_each_outcome_and_the_task_is_done(offered, volunteer, outcome, note):
    welfare_check_record(actor=volunteer, check=offered, outcome=outcome, note=note)

    assert state_of(offered) == (outcome, note, volunteer, Task.State.DONE, volunteer)
    assert WelfareCheck.objects.get(pk=offered.pk).checked_at is not None
    steps = TaskEvent.objects.filter(task=offered.task).values_list("to_state", "actor", "why")
    assert list(steps) == [
        ("open", None, ""),
        ("claimed", volunteer.pk, ""),
        ("done", volunteer.pk, Outcome(outcome).label),
    ]


def test_needs_something_without_a_note_is_refused_and_changes_nothing(offered, volunteer):
    with pytest.raises(ServiceError, match="Say what the resident needs") as refused:
        welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.NEEDS, note="  ")

    assert refused.value.field == "note"
    assert state_of(offered) == ("", "", None, Task.State.OPEN, None)


def test_an_unknown_outcome_is_refused_and_changes_nothing(offered, volunteer):
    with pytest.raises(ServiceError, match="Choose what you found"):
        welfare_check_record(actor=volunteer, check=offered, outcome="dead")

    assert state_of(offered) == ("", "", None, Task.State.OPEN, None)


def test_a_check_of_another_building_is_refused_and_changes_nothing(alone, offered, today):
    other = WelfareCheck.objects.get(resident=alone.other_resident, date=today)
    volunteer = make_volunteer(alone, [alone.building]).user

    with pytest.raises(NotPermitted, match="not in your buildings"):
        welfare_check_record(actor=volunteer, check=other, outcome=Outcome.WELL)

    assert state_of(other) == ("", "", None, Task.State.OPEN, None)


def test_a_check_another_volunteer_took_is_theirs_to_record(offered, volunteer, world):
    task_list.task_claim(actor=volunteer, task=offered.task)
    other = make_volunteer(world, [world.building], name="李小红").user

    with pytest.raises(NotPermitted, match="王小明 has taken this check"):
        welfare_check_record(actor=other, check=offered, outcome=Outcome.WELL)
    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.WELL)
    with pytest.raises(TransitionLost, match="王小明 recorded “Seen, well”"):
        welfare_check_record(
            actor=volunteer, check=WelfareCheck.objects.get(pk=offered.pk), outcome=Outcome.NEEDS, note="x"
        )

    assert state_of(offered) == (Outcome.WELL, "", volunteer, Task.State.DONE, volunteer)


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_recording_one_check_at_once_on_postgresql_one_wins_the_other_is_told(
    on_postgres, offered, world
):
    users = [make_volunteer(world, [world.building], name=f"志愿者{n}").user for n in range(4)]

    writers = at_once(
        *(lambda u=u: welfare_check_record(actor=u, check=offered, outcome=Outcome.NO_ANSWER) for u in users)
    )

    winners = [w for w in writers if w.error is None]
    assert len(winners) == 1
    winner = winners[0].result.checked_by
    for loser in (w for w in writers if w.error):
        assert isinstance(loser.error, TransitionLost), repr(loser.error)
        assert loser.error.message.startswith(f"{winner} recorded “")
    assert state_of(offered) == (Outcome.NO_ANSWER, "", winner, Task.State.DONE, winner)
    assert TaskEvent.objects.filter(task=offered.task, to_state=Task.State.DONE).count() == 1


# The check's phone page -------------------------------------------------------------------------------


def test_the_phone_page_records_a_check_and_goes_back_to_today(client, offered, volunteer):
    client.force_login(volunteer)
    url = reverse("volunteers:welfare_check", args=[offered.pk])

    response = client.post(url, {"outcome": Outcome.NEEDS, "note": "要买菜"}, follow=True)

    assert response.redirect_chain == [(reverse("volunteers:today"), 302)]
    assert "张三: Needs something" in response.content.decode()
    assert state_of(offered)[:2] == (Outcome.NEEDS, "要买菜")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "needs", "note": ""}, "Say what the resident needs: the staff read it."),
        ({"outcome": "dead"}, "Select a valid choice. dead is not one of the available choices."),
        ({"outcome": "needs", "note": "x" * 201}, "At most 200 characters fit here; this has 201."),
    ],
)
def test_the_phone_page_says_what_is_wrong_beside_the_field_and_changes_nothing(
    client, offered, volunteer, data, message
):
    client.force_login(volunteer)

    response = client.post(reverse("volunteers:welfare_check", args=[offered.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert state_of(offered) == ("", "", None, Task.State.OPEN, None)


def test_the_phone_page_of_a_check_outside_the_volunteer_s_buildings_is_not_found(client, alone, offered, today):
    other = WelfareCheck.objects.get(resident=alone.other_resident, date=today)
    client.force_login(make_volunteer(alone, [alone.building]).user)
    url = reverse("volunteers:welfare_check", args=[other.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": Outcome.WELL}).status_code == 404
    assert state_of(other) == ("", "", None, Task.State.OPEN, None)


@pytest.mark.parametrize(
    ("role", "sees_phone"),
    [(Role.VOLUNTEER, False), (Role.BUILDING_LEADER, True), (Role.COMMITTEE_STAFF, True)],
)
def test_the_phone_page_shows_the_fields_the_role_reads_and_never_the_id_number(
    client, offered, world, role, sees_phone
):
    client.force_login(world.users[role])
    resident = world.resident
    masked = resident.phone[:3] + "****" + resident.phone[-4:]

    html = client.get(reverse("volunteers:welfare_check", args=[offered.pk])).content.decode()

    assert "张三" in html
    assert "12-3-501" in html
    assert "Elderly living alone" in html
    assert (masked in html, "Show number to call" in html) == (sees_phone, sees_phone)
    assert resident.phone not in html
    assert resident.id_number not in html
    assert resident.id_number[-4:] not in html


def test_the_note_for_staff_is_not_shown_to_volunteers_afterwards(client, offered, volunteer, world):
    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.NEEDS, note="胰岛素用完了")
    url = reverse("volunteers:welfare_check", args=[offered.pk])

    client.force_login(volunteer)
    by_volunteer = client.get(url).content.decode()
    client.force_login(world.users[Role.BUILDING_LEADER])
    by_leader = client.get(url).content.decode()

    assert "Needs something" in by_volunteer
    assert "胰岛素用完了" not in by_volunteer
    assert "胰岛素用完了" in by_leader


# Staff: the alert and the page of the day -------------------------------------------------------------


def banner(client):
    html = client.get(reverse("households:areas")).content.decode()
    start = html.find('class="alert-banner"')
    return html[start : html.index("</a>", start)] if start >= 0 else ""


def test_a_check_with_no_answer_alerts_staff_at_once_and_the_alert_goes_when_handled(client, offered, volunteer, world):
    staff = world.users[Role.COMMITTEE_STAFF]
    client.force_login(staff)
    assert banner(client) == ""

    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.NO_ANSWER)

    assert "1 welfare check needs you" in banner(client)
    assert reverse("volunteers:welfare_day") in banner(client)
    client.force_login(world.users[Role.STREET_ADMIN])
    assert "1 welfare check needs you" in banner(client)

    client.force_login(staff)
    response = client.post(reverse("volunteers:welfare_handle", args=[offered.pk]), follow=True)

    assert "张三: handled." in response.content.decode()
    assert banner(client) == ""
    check = WelfareCheck.objects.get(pk=offered.pk)
    assert (check.handled_by, check.handled_at is not None) == (staff, True)


def test_the_alert_is_for_the_community_s_staff_and_street_only(client, offered, volunteer, world):
    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.NEEDS, note="要买药")
    far_staff = user_with_role(Role.COMMITTEE_STAFF, world.other_community, username="far-staff")

    for user in (far_staff, world.users[Role.BUILDING_LEADER], world.users[Role.ZONE_LEADER]):
        client.force_login(user)
        assert banner(client) == "", user


def test_the_banner_costs_a_staff_page_one_query(client, offered, volunteer, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.NO_ANSWER)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("households:areas"))

    assert len([q for q in queries if "volunteers_welfarecheck" in q["sql"]]) == 1


def test_another_community_s_staff_can_neither_see_nor_handle_the_alert(client, offered, volunteer, world):
    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.NO_ANSWER)
    far_staff = user_with_role(Role.COMMITTEE_STAFF, world.other_community, username="far-staff")
    client.force_login(far_staff)

    assert client.post(reverse("volunteers:welfare_handle", args=[offered.pk])).status_code == 404
    assert "张三" not in client.get(reverse("volunteers:welfare_day")).content.decode()
    with pytest.raises(NotPermitted):
        welfare_check_handle(actor=far_staff, check=WelfareCheck.objects.get(pk=offered.pk))
    assert WelfareCheck.objects.get(pk=offered.pk).handled_at is None


def test_an_alert_handled_twice_names_who_handled_it_first(offered, volunteer, world):
    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.NO_ANSWER)
    check = WelfareCheck.objects.select_related("community").get(pk=offered.pk)
    welfare_check_handle(actor=world.users[Role.COMMITTEE_STAFF], check=check)

    with pytest.raises(ServiceError, match="staff marked this handled at"):
        welfare_check_handle(actor=world.users[Role.STREET_ADMIN], check=check)
    assert WelfareCheck.objects.get(pk=offered.pk).handled_by == world.users[Role.COMMITTEE_STAFF]


def headings(html):
    return re.findall(r'<h2 id="section-\d">([^<]+)</h2>', html)


def rows(html):
    found = re.findall(r'<tr id="check-\d+" class="[^"]*">\s*<td data-label="Resident">([^<]+)<', html)
    return [name.strip() for name in found]


def test_staff_see_alerts_first_then_checks_not_done_then_done_ones(client, world, today, volunteer):
    residents = living_alone(world.building, 5)
    welfare_checks_offer(date=today)
    check = {c.resident.name: c for c in WelfareCheck.objects.filter(date=today).select_related("resident")}
    welfare_check_record(actor=volunteer, check=check["孙0"], outcome=Outcome.WELL)
    welfare_check_record(actor=volunteer, check=check["孙1"], outcome=Outcome.NEEDS, note="没有米了")
    welfare_check_record(actor=volunteer, check=check["孙2"], outcome=Outcome.NO_ANSWER)
    welfare_check_record(actor=volunteer, check=check["孙3"], outcome=Outcome.NO_ANSWER)
    handled = WelfareCheck.objects.select_related("community").get(pk=check["孙3"].pk)
    welfare_check_handle(actor=world.users[Role.COMMITTEE_STAFF], check=handled)
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    html = client.get(reverse("volunteers:welfare_day")).content.decode()

    assert rows(html) == ["孙2", "孙1", "孙3", "孙4", "孙0"]
    assert headings(html)[0] == "Alerts"
    assert headings(html)[2] == "Done"
    assert "没有米了" in html
    assert "Handled by staff at" in html
    assert residents[0].id_number not in html


def test_a_check_in_a_building_nobody_covers_is_flagged_for_staff_to_send_someone(client, offered, world, today):
    assert not RoleAssignment.objects.filter(role=Role.VOLUNTEER, building=world.other_building).exists()
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    html = client.get(reverse("volunteers:welfare_day")).content.decode()

    flagged = re.findall(r'<tr id="check-\d+".*?</tr>', html, flags=re.S)
    assert ["Nobody covers this building." in row for row in flagged] == [False, True]  # 张三's 12, 李四's 13
    assert "Not done, in buildings nobody covers: send someone" in html
    RoleAssignment.objects.create(user=world.users[Role.VOLUNTEER], role=Role.VOLUNTEER, building=world.other_building)
    assert "Nobody covers this building." not in client.get(reverse("volunteers:welfare_day")).content.decode()


@pytest.mark.parametrize(("hour", "heading"), [(10, "Not done yet"), (18, "Not done by evening")])
def test_checks_not_done_are_headed_not_done_by_evening_from_18_00(client, offered, monkeypatch, today, hour, heading):
    at(monkeypatch, today, hour, 30)
    client.force_login(user_with_role(Role.COMMITTEE_STAFF, offered.community))

    html = client.get(reverse("volunteers:welfare_day")).content.decode()

    assert headings(html) == [heading]
    assert rows(html) == ["张三", "李四"]


def test_yesterday_s_checks_not_done_are_not_done_by_evening_and_its_alerts_stay_until_handled(
    client, alone, volunteer, world, today
):
    yesterday = today - datetime.timedelta(days=1)
    welfare_checks_offer(date=yesterday)
    welfare_checks_offer(date=today)
    late = WelfareCheck.objects.get(resident=alone.resident, date=yesterday)
    welfare_check_record(actor=volunteer, check=late, outcome=Outcome.NO_ANSWER)
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    of_yesterday = client.get(reverse("volunteers:welfare_day"), {"date": yesterday.isoformat()}).content.decode()
    of_today = client.get(reverse("volunteers:welfare_day")).content.decode()

    assert headings(of_yesterday) == ["Alerts", "Not done by evening"]
    assert rows(of_today)[0] == "张三"  # yesterday's alert, still to handle
    assert headings(of_today)[0] == "Alerts"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.STREET_ADMIN, 200),
        (Role.COMMITTEE_STAFF, 200),
        (Role.ZONE_LEADER, 404),
        (Role.BUILDING_LEADER, 404),
        (Role.VOLUNTEER, 404),
    ],
)
def test_the_staff_page_of_the_day_is_for_staff_and_street_admins(client, offered, world, role, status):
    client.force_login(world.users[role])

    assert client.get(reverse("volunteers:welfare_day")).status_code == status
    assert client.post(reverse("volunteers:welfare_offer")).status_code == {200: 302, 404: 404}[status]


def test_a_date_that_is_not_one_is_said_so_and_today_is_shown(client, offered, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    html = client.get(reverse("volunteers:welfare_day"), {"date": "3000-01-01"}).content.decode()

    assert "is more than a year from today" in html
    assert rows(html) == ["张三", "李四"]


def test_the_staff_page_takes_as_many_queries_for_60_checks_as_for_6(client, world, today, volunteer):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    def count(residents_start, residents):
        living_alone(world.building, residents, start=residents_start)
        welfare_checks_offer(date=today)
        for check in WelfareCheck.objects.filter(date=today, outcome="").select_related("task")[:2]:
            welfare_check_record(actor=volunteer, check=check, outcome=Outcome.NO_ANSWER)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("volunteers:welfare_day")).status_code == 200
        return len(queries)

    assert count(0, 6) == count(6, 54)


# A resident who moves ---------------------------------------------------------------------------------


def test_a_resident_who_moves_takes_today_s_check_to_the_new_building_s_volunteers(offered, volunteer, world):
    task_list.task_claim(actor=volunteer, task=offered.task)

    staff = world.users[Role.COMMITTEE_STAFF]
    register.resident_move(actor=staff, resident=world.resident, to_household=world.other_household)

    check = WelfareCheck.objects.select_related("task").get(pk=offered.pk)
    assert (check.building, check.task.building, check.task.place) == (
        world.other_building,
        world.other_building,
        "13-1-101",
    )
    assert (check.task.state, check.task.claimed_by) == (Task.State.OPEN, None)
    with pytest.raises(NotPermitted):
        task_list.task_claim(actor=volunteer, task=check.task)


def test_a_check_a_volunteer_took_and_left_is_recorded_by_the_buildings_leader(world, offered, volunteer):
    task_list.task_claim(actor=volunteer, task=offered.task)
    other = make_volunteer(world, [world.building], name="李小红").user
    with pytest.raises(NotPermitted, match="王小明 has taken this check"):
        welfare_check_record(actor=other, check=offered, outcome=Outcome.WELL)
    leader = world.users[Role.BUILDING_LEADER]
    welfare_check_record(actor=leader, check=offered, outcome=Outcome.WELL)
    assert state_of(offered)[:4] == (Outcome.WELL, "", leader, Task.State.DONE)


def test_a_leader_puts_a_taken_task_back_and_a_volunteer_may_not(world, offered, volunteer):
    task = task_list.task_claim(actor=volunteer, task=offered.task)
    other = make_volunteer(world, [world.building], name="李小红").user
    with pytest.raises(NotPermitted, match="Only the building's leaders and the committee's staff"):
        task_list.task_release(actor=other, task=task)
    task = task_list.task_release(actor=world.users[Role.BUILDING_LEADER], task=task)
    assert (task.state, task.claimed_by) == (Task.State.OPEN, None)
    assert task_list.task_claim(actor=other, task=task).claimed_by == other


def test_the_same_tap_twice_is_no_mistake(world, offered, volunteer):
    welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.WELL)
    assert welfare_check_record(actor=volunteer, check=offered, outcome=Outcome.WELL).outcome == Outcome.WELL
    assert TaskEvent.objects.filter(task=offered.task, to_state=Task.State.DONE).count() == 1


def test_a_check_is_finished_only_by_recording_it(offered, volunteer):
    task = task_list.task_claim(actor=volunteer, task=offered.task)
    assert task_list.task_claim(actor=volunteer, task=task).state == Task.State.CLAIMED  # a second tap
    with pytest.raises(ServiceError, match="Record this task on its own page"):
        task_list.task_finish(actor=volunteer, task=task)
    assert state_of(offered)[3] == Task.State.CLAIMED


def test_the_next_days_checks_take_the_place_of_those_nobody_did(alone, offered, today):
    welfare_checks_offer(date=today + datetime.timedelta(days=1))
    assert Task.objects.get(pk=offered.task_id).state == Task.State.CANCELLED
    assert WelfareCheck.objects.get(pk=offered.pk).outcome == ""  # still listed for staff, not done
    tomorrow = WelfareCheck.objects.get(resident=alone.resident, date=today + datetime.timedelta(days=1))
    assert tomorrow.task.state == Task.State.OPEN


def test_nobody_is_sent_to_a_resident_in_hospital_or_away(alone, today):
    alone.resident.presence = Presence.HOSPITAL
    alone.resident.save(update_fields=["presence"])
    alone.other_resident.presence = Presence.AWAY
    alone.other_resident.save(update_fields=["presence"])
    welfare_checks_offer(date=today)
    assert list(WelfareCheck.objects.values_list("resident__name", flat=True)) == ["王五"]
