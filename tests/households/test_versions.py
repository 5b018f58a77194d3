"""An edit never silently undoes a colleague's; simultaneous saves never answer 500."""

import json
import os
import re
import subprocess
import sys
import threading

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from households import services
from households.models import Change, Household, Presence, Resident, Role, Tag
from households.services import ResidentInput, TagInput
from households.versions import StaleEdit
from lockdown.core.errors import ServiceError
from tests.concurrency import Writer, wait_until_blocked
from tests.conftest import ROOT

from .factories import CampaignFactory, ResidentFactory, ResidentTagFactory, user_with_role


def form_data(response):
    """What the page's form posts as it stands: each field's value as the browser would send it."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if getattr(field.widget, "input_type", "") == "checkbox":
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


@pytest.fixture
def colleague(world):
    return user_with_role(Role.COMMITTEE_STAFF, world.community, username="colleague")


def test_a_resident_form_read_before_a_colleague_saved_is_refused_with_what_changed(client, world, colleague):
    resident = world.resident
    ResidentTagFactory(resident=resident, tag=Tag.ALONE, note="女儿住浦东")
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:resident_edit", args=[resident.pk])
    opened = form_data(client.get(url))
    # A colleague saves first: a note written, the tag's note changed
    services.resident_update(
        actor=colleague,
        resident=Resident.objects.get(pk=resident.pk),
        data=ResidentInput(
            name=resident.name,
            id_number=resident.id_number,
            phone=resident.phone,
            notes="腿脚不便",
            tags={Tag.ALONE: TagInput(note="女儿每周来")},
        ),
    )

    refused = client.post(url, opened | {"relation": "head", "tag_alone_note": "儿子住闵行"})

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Someone else saved this since you opened the form" in html
    assert "notes：— → 腿脚不便" in html
    assert "Elderly living alone · note：女儿住浦东 → 女儿每周来" in html
    assert "colleague ·" in html
    again = refused.context["form"]
    assert again.conflict["yours"] == [("Note", "儿子住闵行")]
    resident.refresh_from_db()
    assert (resident.notes, resident.relation, resident.tags.get().note) == ("腿脚不便", "", "女儿每周来")

    # Saved again as re-shown: the colleague's values stay, the person's other entry lands
    saved = client.post(url, form_data(refused))

    assert saved.status_code == 302
    resident.refresh_from_db()
    assert (resident.notes, resident.relation, resident.tags.get().note) == ("腿脚不便", "head", "女儿每周来")


def test_a_household_form_read_before_a_colleague_saved_is_refused_with_what_changed(client, world, colleague):
    household = world.household
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:edit", args=[household.pk])
    opened = form_data(client.get(url))
    services.household_update(actor=colleague, household=household, unit="3", room="501", notes="独居老人，门铃坏")

    refused = client.post(url, opened | {"notes": ""})
    saved = client.post(url, form_data(refused) | {"room": "501A"})

    assert refused.status_code == 200
    assert "notes：— → 独居老人，门铃坏" in refused.content.decode()
    assert saved.status_code == 302
    household.refresh_from_db()
    assert (household.room, household.notes) == ("501A", "独居老人，门铃坏")


def test_an_edit_read_before_a_presence_mark_or_a_move_goes_through_and_keeps_them(world):
    staff, leader = world.users[Role.COMMITTEE_STAFF], world.users[Role.BUILDING_LEADER]
    read = Resident.objects.get(pk=world.resident.pk).version
    services.resident_set_presence(actor=leader, resident=world.resident, presence=Presence.AWAY)
    services.resident_move(actor=staff, resident=world.resident, to_household=world.other_household)

    services.resident_update(
        actor=staff,
        resident=world.resident,
        data=ResidentInput(name="张三丰", id_number=world.resident.id_number, phone=world.resident.phone),
        read_version=read,
    )

    world.resident.refresh_from_db()
    assert (world.resident.name, world.resident.presence) == ("张三丰", Presence.AWAY)
    assert world.resident.household == world.other_household
    assert world.resident.version == read + 3


def test_a_stale_edit_changes_nothing(world, colleague):
    staff = world.users[Role.COMMITTEE_STAFF]
    read = Resident.objects.get(pk=world.resident.pk).version
    same = {"id_number": world.resident.id_number, "phone": world.resident.phone}
    services.resident_update(
        actor=colleague, resident=world.resident, data=ResidentInput(name="张三", notes="新", **same)
    )

    with pytest.raises(StaleEdit) as stale:
        services.resident_update(
            actor=staff, resident=world.resident, data=ResidentInput(name="张三改", **same), read_version=read
        )

    assert stale.value.names == {"notes"}
    world.resident.refresh_from_db()
    assert (world.resident.name, world.resident.notes, world.resident.version) == ("张三", "新", read + 1)


@pytest.mark.parametrize("version", ["", "x", "0", "99999999999999999999"])
def test_an_edit_form_with_a_damaged_version_is_a_form_error(client, world, version):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:edit", args=[world.household.pk])

    response = client.post(url, form_data(client.get(url)) | {"version": version, "notes": "x"})

    assert response.status_code == 200
    assert "This form is incomplete" in response.content.decode()
    world.household.refresh_from_db()
    assert world.household.notes == ""


def at_once(*requests):
    """Run each request (a function of a Client) in a thread of its own, with its own database
    connection, released together; returns their responses in order."""
    barrier, responses = threading.Barrier(len(requests)), [None] * len(requests)

    def run(i, request):
        try:
            barrier.wait()
            responses[i] = request(Client())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def logged_in(user, method, url, data=None):
    def request(client):
        client.force_login(user)
        return getattr(client, method)(url, data or {})

    return request


@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_one_resident_and_one_household_at_once_on_postgresql(on_postgres, world, colleague):
    staff = world.users[Role.COMMITTEE_STAFF]
    resident_url = reverse("households:resident_edit", args=[world.resident.pk])
    household_url = reverse("households:edit", args=[world.household.pk])
    client = Client()
    client.force_login(staff)
    resident_form, household_form = form_data(client.get(resident_url)), form_data(client.get(household_url))

    responses = at_once(
        logged_in(staff, "post", resident_url, resident_form | {"notes": "一"}),
        logged_in(colleague, "post", resident_url, resident_form | {"notes": "二"}),
        logged_in(staff, "post", household_url, household_form | {"room": "509"}),
        logged_in(colleague, "post", household_url, household_form | {"room": "509"}),
    )

    assert sorted(r.status_code for r in responses[:2]) == [200, 302]
    assert sorted(r.status_code for r in responses[2:]) == [200, 302]
    refused = [r for r in responses if r.status_code == 200]
    assert all("Someone else saved this" in r.content.decode() for r in refused)
    world.resident.refresh_from_db()
    assert world.resident.notes in {"一", "二"}


@pytest.mark.django_db(transaction=True)
def test_two_staff_pressing_send_at_once_the_second_is_told_it_is_going_out(on_postgres, world, colleague, settings):
    settings.SMS_BACKEND = "memory"
    ResidentFactory(household=world.household, presence=Presence.AWAY)
    campaign = CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])
    url = reverse("campaigns:send", args=[campaign.pk])

    def send(user):
        def request(client):
            client.force_login(user)
            return client.post(url, follow=True)

        return request

    responses = at_once(send(world.users[Role.COMMITTEE_STAFF]), send(colleague))

    # Read from the pages, not their context: the test client's context catches both threads' templates.
    pages = [r.content.decode() for r in responses]
    assert [r.status_code for r in responses] == [200, 200]
    assert sum("Sending. The numbers below follow it live." in page for page in pages) == 1
    assert sum("This campaign is already going out: follow it on this page." in page for page in pages) == 1


def test_two_writers_at_once_on_sqlite_wait_for_each_other(tmp_path):
    """In a process of its own on a SQLite file, as the embedded setup runs: no "database is locked"."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'register.sqlite3'}", "SMS_BACKEND": "memory"}

    run = subprocess.run(
        [sys.executable, "-m", "tests.households.sqlite_writers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-2000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["sends"] == {"told": ["This campaign is already going out: follow it on this page."], "sent": True}
    outcomes = outcome["outcomes"]
    assert outcomes["kept"] == [outcomes["outcome"]]  # one of the two outcomes recorded, and kept
    assert len(outcomes["told"]) == 1
    assert re.fullmatch(r"user\d+ recorded “[^”]+” at [\d\- :]+, before you: .*", outcomes["told"][0])


@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_the_same_room_at_once_on_postgresql_the_second_is_told_it_exists(
    on_postgres, world, colleague
):
    staff = world.users[Role.COMMITTEE_STAFF]
    holding, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():  # as a slower request would: its room inserted, not yet committed
            household = services.household_create(actor=staff, building=world.building, unit="3", room="601")
            holding.set()
            release.wait(10)
        return household

    def second():
        return services.household_create(actor=colleague, building=world.building, unit="3", room="601")

    winner = Writer(first)
    winner.start()
    assert holding.wait(10)
    loser = Writer(second)  # finds no such room yet, and its insert waits on the first's
    loser.start()
    blocked = wait_until_blocked(loser)
    release.set()
    winner.join(10)
    loser.join(10)

    assert blocked, "the second insert did not wait for the first transaction"
    assert winner.error is None
    assert isinstance(loser.error, ServiceError), repr(loser.error)
    assert (loser.error.message, loser.error.field) == ("Room 12-3-601 already exists in this building.", "room")
    added = Household.objects.get(building=world.building, unit="3", room="601")
    assert added == winner.result
    assert list(Change.objects.filter(household=added).values_list("actor", flat=True)) == [staff.pk]
