"""The volunteers' SMS outbox: queued once under its key, claimed before it is sent so that nothing
goes twice, each provider answer written back; and sent by a real Celery worker after the commit."""

import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Role
from lockdown.core import sms
from tests.conftest import eventually, start_worker, tasks_on_queue, worker_queue
from tests.volunteers.factories import approved_volunteer
from tests.volunteers.shift_world import one_shift
from volunteers import notices, rosters, signups
from volunteers.models import Notice
from volunteers.tasks import send_notices_task

State = Notice.State
pytestmark = pytest.mark.django_db


def notice(world, key, phone="13900000001", kind=Notice.Kind.ROSTER):
    params = {"name": "小王", "shift": "上午配送", "when": "6月2日07:00-11:00", "place": "居委会门口"}
    return Notice(community=world.community, key=key, kind=kind, phone=phone, params=params)


def test_queuing_a_key_twice_queues_it_once(world):
    assert notices.notices_queue([notice(world, "roster:1:1:1"), notice(world, "roster:1:2:1", "13900000002")]) == 2
    assert notices.notices_queue([notice(world, "roster:1:1:1")]) == 0
    assert Notice.objects.count() == 2


def test_queued_notices_are_sent_once_however_often_the_sender_runs(world, memory_sms):
    notices.notices_queue([notice(world, f"roster:1:{n}:1", f"1390000000{n}") for n in range(3)])
    notices.notices_queue([notice(world, "moved_up:9", "13900000009", kind=Notice.Kind.MOVED_UP)])

    assert notices.notices_send() == {State.SENT: 4}
    assert notices.notices_send() == {}

    assert sorted(phone for _ref, phone, _text in memory_sms.sent) == [
        *(f"1390000000{n}" for n in range(3)),
        "13900000009",
    ]
    moved = next(text for _ref, phone, text in memory_sms.sent if phone == "13900000009")
    assert moved == "【居委会】小王，候补转正：您已排入上午配送（6月2日07:00-11:00），请准时到居委会门口集合。"
    assert set(Notice.objects.values_list("state", flat=True)) == {State.SENT}
    assert not Notice.objects.filter(sent_at__isnull=True).exists()


def test_each_provider_answer_is_written_back(world, memory_sms, monkeypatch):
    notices.notices_queue([notice(world, "roster:1:1:1", "13900000001"), notice(world, "roster:1:2:1", "13900000002")])
    memory_sms.failures = {"13900000002": "isv.MOBILE_NUMBER_ILLEGAL"}

    notices.notices_send()

    assert dict(Notice.objects.values_list("phone", "state")) == {
        "13900000001": State.SENT,
        "13900000002": State.FAILED,
    }
    assert Notice.objects.get(phone="13900000002").error == "isv.MOBILE_NUMBER_ILLEGAL"

    # The provider out of reach: queued again for the next run, with why.
    notices.notices_queue([notice(world, "roster:1:3:1", "13900000003")])
    memory_sms.outage = True
    assert notices.notices_send() == {State.QUEUED: 1}
    assert Notice.objects.get(phone="13900000003").error == "outage: the provider is unreachable"
    memory_sms.outage = False
    assert notices.notices_send() == {State.SENT: 1}

    # No answer: it may have gone, so it is not sent again but shown to staff as unsure.
    def times_out(self, template, messages, *, request_ref):
        raise sms.Unsure("timeout", "no answer in 10 s")

    notices.notices_queue([notice(world, "roster:1:4:1", "13900000004")])
    monkeypatch.setattr(sms.MemoryBackend, "send", times_out)
    notices.notices_send()
    assert Notice.objects.get(phone="13900000004").state == State.UNSURE
    assert notices.notices_send() == {}


def test_a_claimed_batch_is_not_sent_by_a_second_run(world, memory_sms):
    notices.notices_queue([notice(world, "roster:1:1:1")])
    Notice.objects.update(state=State.SENDING, request_ref="another-worker")

    assert notices.notices_send() == {}
    assert memory_sms.sent == []


def test_the_roster_page_lists_sms_that_failed_or_are_unsure(client, world, memory_sms):
    shift = one_shift(world)
    signups.signup_create(volunteer=approved_volunteer(world.building, name="小王", mobile="13912345678"), shift=shift)
    rosters.roster_notify(roster=shift.roster, send=1)
    memory_sms.failures = {"13912345678": "isv.BUSINESS_LIMIT_CONTROL"}
    notices.notices_send()
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    page = client.get(reverse("volunteers:roster", args=[world.building.compound.pk]), {"date": shift.roster.date})

    text = page.content.decode()
    assert "SMS to follow up" in text
    assert "小王 · 139****5678" in text
    assert "isv.BUSINESS_LIMIT_CONTROL" in text
    assert page.context["notice_counts"] == {State.FAILED: 1}


# A real worker ----------------------------------------------------------------------------------------


def console_lines(directory):
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()]


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_roster_and_a_move_up_once_after_the_commit(world, on_postgres, redis_url, tmp_path):
    shift = one_shift(world, places=3)
    people = [approved_volunteer(world.building, mobile=f"1390000000{n}") for n in range(4)]
    placed = [signups.signup_create(volunteer=person, shift=shift) for person in people]
    directory = tmp_path / "sms"
    queue = worker_queue(tmp_path)
    worker = start_worker(queue, {"SMS_BACKEND": "console", "SMS_CONSOLE_DIR": str(directory)}, concurrency=2)
    try:
        with tasks_on_queue(queue):
            rosters.roster_notify(roster=shift.roster, send=1)  # handed to the worker on commit
            send_notices_task.delay()  # and once more at the same time: a second run sends nothing twice
            assert eventually(lambda: Notice.objects.filter(state=State.SENT).count() == 3)

            signups.signup_cancel(signup=placed[0].signup)  # the fourth moves up, and is told
            assert eventually(lambda: Notice.objects.filter(kind=Notice.Kind.MOVED_UP, state=State.SENT).exists())
            send_notices_task.delay()
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    lines = console_lines(directory)
    assert sorted(line["phone"] for line in lines) == ["13900000000", "13900000001", "13900000002", "13900000003"]
    moved = next(line for line in lines if line["phone"] == "13900000003")
    assert "候补转正" in moved["text"]
    assert Notice.objects.filter(state=State.SENT, sent_at__lte=timezone.now()).count() == 4
