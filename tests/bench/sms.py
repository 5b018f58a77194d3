"""sms_dispatch_10k and sms_queries_per_message: a 10,000-message recall through a fake provider.

The fake Alibaba Cloud on 127.0.0.1 answers like the real one, checking signatures, and allows 100
numbers per request, 20 requests a second and takes 50 ms per request: 2,000 messages a second. One
Celery worker (a pool of WORKER_PROCESSES) on Redis sends the batches. The clock runs from the
moment staff press "send" (the outbox is written, the batches handed to Celery) until the last
message is recorded as sent; the ratio is to the 2,000 messages a second the provider allows.
"""

import datetime
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from households.campaigns import services as campaigns
from households.models import (
    Building,
    Campaign,
    Community,
    Compound,
    DocumentType,
    Household,
    Message,
    Presence,
    Resident,
    SmsTemplate,
    Street,
    Zone,
)
from households.residents import search_fields
from lockdown.core import sms
from lockdown.core.bulk import insert_rows
from lockdown.models import User
from tests.fakes.providers import AliyunFake

from .measure import emit, progress

MESSAGES = 10_000
WARM_UP = 400
NUMBERS_PER_REQUEST = 100
REQUESTS_PER_SECOND = 20
LATENCY = 0.05
WORKER_PROCESSES = 4
ROOT = Path(__file__).resolve().parents[2]


def run(names):
    if not settings.REDIS_URL:
        progress("sms: skipped, needs REDIS_URL (a real Celery worker on Redis)")
        return
    fake = AliyunFake(requests_per_second=REQUESTS_PER_SECOND, latency=LATENCY).start()
    fake.numbers_per_request = NUMBERS_PER_REQUEST
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options()}
    settings.SMS_NUMBERS_PER_REQUEST = NUMBERS_PER_REQUEST
    settings.SMS_REQUESTS_PER_SECOND = REQUESTS_PER_SECOND
    sms.get_backend.cache_clear()
    staff = User.objects.create_user("bench-sms-staff", password="x", is_superuser=True)
    warm_up = _campaign(staff, "预热", WARM_UP, first_phone=13_000_000_000)
    campaign = _campaign(staff, "召回", MESSAGES, first_phone=13_100_000_000)
    queue, key = f"bench-sms-{os.getpid()}", f"bench-sms-queries-{os.getpid()}"
    counter = redis.Redis.from_url(settings.REDIS_URL)
    worker = _start_worker(fake, queue, key)
    from lockdown.celery import app

    app.conf.task_default_queue = queue
    try:
        progress(f"sms: warming the worker up with {WARM_UP} messages")
        _send_and_wait(staff, warm_up)
        fake.sent.clear()
        fake.request_times.clear()
        counter.set(key, 0)
        progress(f"sms: sending {MESSAGES} messages")
        started = time.monotonic()
        campaigns.campaign_send(actor=staff, campaign=campaign)
        dispatched = time.monotonic() - started  # the outbox committed and its batches handed to Celery
        _wait_until_sent(campaign)
        total = time.monotonic() - started
        queries = int(counter.get(key) or 0)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        fake.stop()
        counter.delete(key)
    sent = Counter(m.phone for m in fake.sent)
    rate = MESSAGES / total
    allowed = NUMBERS_PER_REQUEST * REQUESTS_PER_SECOND
    provider_span = fake.request_times[-1] + LATENCY - fake.request_times[0] if fake.request_times else 0
    batches = -(-MESSAGES // NUMBERS_PER_REQUEST)
    if "sms_dispatch_10k" in names:
        emit(
            {
                "bench": "sms_dispatch_10k",
                "value": round(rate, 1),
                "unit": "messages/s",
                "ratio": round(rate / allowed, 3),
                "ratio_to": "provider_allowed_rate",
                "goal": "ratio >= 0.9",
                "messages": MESSAGES,
                "seconds": round(total, 2),
                "dispatch_s": round(dispatched, 2),
                "first_request_s": round(fake.request_times[0] - started, 2) if fake.request_times else None,
                "provider_span_s": round(provider_span, 2),
                "provider_allowed_rate": allowed,
                "provider_count": sum(sent.values()),
                "sent_twice": sum(1 for n in sent.values() if n > 1),
                "throttled": fake.throttled,
                "worker_processes": WORKER_PROCESSES,
            }
        )
    if "sms_queries_per_message" in names:
        emit(
            {
                "bench": "sms_queries_per_message",
                "value": round(queries / MESSAGES, 3),
                "unit": "queries",
                "goal": "a small constant per batch",
                "queries": queries,
                "batches": batches,
                "queries_per_batch": round(queries / batches, 2),
            }
        )


def _campaign(staff, title, count, first_phone):
    """A community of `count` away residents, two per household, each with a mobile of their own."""
    street = Street.objects.create(name=f"{title}街道")
    community = Community.objects.create(street=street, name=f"{title}居民区")
    compound = Compound.objects.create(community=community, name=f"{title}新村")
    zone = Zone.objects.create(compound=compound, name="一块区")
    buildings = Building.objects.bulk_create(
        Building(compound=compound, community=community, zone=zone, number=str(b + 1), sort_key=b + 1)
        for b in range(50)
    )
    now = timezone.now()
    household_rows = [
        (buildings[h % len(buildings)].pk, community.pk, "1", str(100 + h), "", now, now) for h in range(count // 2)
    ]
    columns = ["building_id", "community_id", "unit", "room", "notes", "created_at", "updated_at"]
    household_ids = insert_rows(Household, columns, household_rows)
    resident_rows = []
    for i in range(count):
        h = i // 2
        name, phone = f"居民{i}", str(first_phone + i)
        derived = search_fields(name=name, id_number="", phone=phone)
        resident_rows.append(
            (household_ids[h], community.pk, household_rows[h][0], name, derived["name_initials"], phone)
            + (derived["phone_last4"], Presence.AWAY, "", DocumentType.MAINLAND_ID, "", derived["id_last4"])
            + ("", False, "", now, now)
        )
    columns = ["household_id", "community_id", "building_id", "name", "name_initials", "phone", "phone_last4"]
    columns += ["presence", "sex", "document_type", "id_number", "id_last4", "relation", "party_member", "notes"]
    insert_rows(Resident, [*columns, "created_at", "updated_at"], resident_rows, ids=False)
    template = SmsTemplate.objects.get_or_create(
        code="SMS_100001",
        defaults={
            "name": "返回通知",
            "body": "${name}您好：${compound}将于${deadline}起封闭管理，请尽快返回并联系居委会${phone}。",
            "params": "name,compound,deadline,phone",
        },
    )[0]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    deadline = timezone.now() + datetime.timedelta(days=1)
    return Campaign.objects.create(
        community=community, title=title, template=template, deadline=deadline, contact_phone="021-1", created_by=staff
    )


def _start_worker(fake, queue, key):
    env = os.environ | {
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": settings.REDIS_URL,
        "SMS_BACKEND": "aliyun",
        "ALIYUN_SMS_ENDPOINT": fake.url,
        "ALIYUN_SMS_ACCESS_KEY_ID": fake.access_key_id,
        "ALIYUN_SMS_ACCESS_KEY_SECRET": fake.access_key_secret,
        "SMS_NUMBERS_PER_REQUEST": str(NUMBERS_PER_REQUEST),
        "SMS_REQUESTS_PER_SECOND": str(REQUESTS_PER_SECOND),
        "BENCH_QUERY_KEY": key,
    }
    command = [sys.executable, "-m", "tests.bench.sms_worker", queue, str(WORKER_PROCESSES)]
    # Its banner and logs go to standard error: standard output carries the figures only.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=sys.stderr)


def _send_and_wait(staff, campaign):
    campaigns.campaign_send(actor=staff, campaign=campaign)
    _wait_until_sent(campaign, timeout=120)


def _wait_until_sent(campaign, timeout=300):
    unsent = Message.objects.filter(campaign=campaign).exclude(state=Message.State.SENT)
    deadline = time.monotonic() + timeout
    while unsent.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{unsent.count()} messages still not sent after {timeout} s")
        time.sleep(0.02)
