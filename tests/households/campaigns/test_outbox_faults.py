"""Faults on the real thing: a Celery worker on Redis killed mid-campaign, a provider gone for a while.

The fake provider's own count of what it accepted is the measure: every message exactly once."""

import collections
import os
import signal
import time

import pytest
from django.utils import timezone

from households.campaigns import outbox
from households.campaigns import services as campaigns
from households.models import Message, Presence, Role
from tests.conftest import start_worker, tasks_on_queue, worker_queue
from tests.fakes.providers import AliyunFake
from tests.households.factories import CampaignFactory, HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db(transaction=True)
RESIDENTS = 200
BATCH = 20


def wait_until(condition, timeout=60, step=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def provider_and_worker_env(settings, on_postgres, redis_url):
    fake = AliyunFake(requests_per_second=10, latency=0.2).start()
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options()}
    settings.SMS_NUMBERS_PER_REQUEST = BATCH
    env = {
        "SMS_BACKEND": "aliyun",
        "ALIYUN_SMS_ENDPOINT": fake.url,
        "ALIYUN_SMS_ACCESS_KEY_ID": fake.access_key_id,
        "ALIYUN_SMS_ACCESS_KEY_SECRET": fake.access_key_secret,
        "SMS_NUMBERS_PER_REQUEST": str(BATCH),
        "SMS_RETRY_BASE_SECONDS": "0.5",
    }
    yield fake, env
    fake.stop()


@pytest.fixture
def away_campaign(world):
    household = HouseholdFactory(building=world.building)
    ResidentFactory.create_batch(RESIDENTS, household=household, presence=Presence.AWAY)
    return CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])


def all_sent():
    return not Message.objects.exclude(state=Message.State.SENT).exists()


def assert_each_sent_once(fake):
    counts = collections.Counter(m.phone for m in fake.sent)
    assert len(counts) == RESIDENTS
    assert set(counts.values()) == {1}
    assert Message.objects.filter(state=Message.State.SENT).count() == RESIDENTS


def test_a_worker_killed_mid_campaign_loses_nothing_and_sends_nothing_twice(
    world, away_campaign, provider_and_worker_env, tmp_path
):
    fake, env = provider_and_worker_env
    queue = worker_queue(tmp_path)
    worker = start_worker(queue, env)
    with tasks_on_queue(queue):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=away_campaign)

        # Kill it while the provider is handling one of its requests: the provider takes those
        # messages, the worker never hears back.
        assert wait_until(lambda: len(fake.sent) >= 3 * BATCH and fake.busy_for_another(0.1))
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert Message.objects.filter(state=Message.State.SENDING).count() == BATCH
        assert wait_until(lambda: fake.in_flight == 0)
        assert len(fake.sent) < RESIDENTS

        worker = start_worker(queue, env)
        try:
            # The beat task's work, without waiting for its timeouts: the killed worker is gone.
            counts = outbox.outbox_reconcile(stuck_after=timezone.timedelta(0), stalled_after=timezone.timedelta(0))
            assert counts["found"] == BATCH
            assert wait_until(all_sent, timeout=90)
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    assert_each_sent_once(fake)


def test_messages_wait_while_the_provider_is_down_and_go_when_it_is_back(
    world, away_campaign, provider_and_worker_env, tmp_path, client, settings
):
    fake, env = provider_and_worker_env
    settings.SMS_RECEIPT_TOKEN = "receipt-token"
    fake.stop()
    queue = worker_queue(tmp_path)
    worker = start_worker(queue, env)
    try:
        with tasks_on_queue(queue):
            campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=away_campaign)
            assert wait_until(lambda: Message.objects.filter(attempts__gte=2).count() == RESIDENTS, timeout=30)
            # Each is waiting for its next try (or in it): none given up, none sent.
            states = set(Message.objects.values_list("state", "error_code"))
            assert states <= {(Message.State.QUEUED, "unreachable"), (Message.State.SENDING, "unreachable")}
            assert fake.sent == []

            fake.start()
            assert wait_until(all_sent, timeout=90)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert_each_sent_once(fake)

    response = client.post("/sms/receipts/aliyun/receipt-token/", fake.receipts(), content_type="application/json")

    assert response.json() == {"code": 0, "msg": "成功"}
    assert Message.objects.filter(state=Message.State.DELIVERED).count() == RESIDENTS
