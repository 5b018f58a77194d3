"""The outbox: every campaign message sent exactly once, and accounted for.

A batch is the messages of one request to the provider. A worker claims a batch's queued messages
with one conditional UPDATE (queued → sending, with a fresh request reference); only the claim that
changed the rows sends them, so a task delivered twice or retried sends nothing twice. What the
provider answers is written back with the same condition:

- accepted → sent (then delivered or failed when the receipt comes);
- refused for good (the number, the account) → failed, and its residents go on the call list;
- surely not sent (unreachable, rate limit) → queued again, retried with backoff and jitter, until
  SMS_MAX_ATTEMPTS, then failed and called;
- unsure (no answer) → left in sending, for `outbox_reconcile` to look up at the provider.

A worker killed mid-request leaves its messages in sending: `outbox_reconcile` (a beat task) asks
the provider for them by request reference once SMS_STUCK_AFTER_SECONDS have passed, marks the
ones it has as sent and queues the others again; a backend that cannot be asked puts them on the
call list. Batches whose queued messages have waited too long are handed to Celery again.
"""

import datetime
import json
import logging
import random
import uuid
from collections import defaultdict

from celery import signature
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError

from households.models import Campaign, Message, Recipient
from lockdown.core import sms

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 600
CAMPAIGN_GONE = "campaign_deleted"
# The Celery task that sends a batch (tasks.py), called by its name: the task calls this module, and
# this module hands it work without importing it back.
SEND_BATCH_TASK = "households.campaigns.tasks.send_batch_task"


def enqueue_batches(campaign_id, batches):
    """Hand the batches to Celery. A broker out of reach loses nothing: the messages stay queued in
    the outbox, and reconciliation hands their batches out again once it is back."""
    try:
        for batch in batches:
            signature(SEND_BATCH_TASK, args=(campaign_id, batch)).delay()
    except OperationalError as error:
        logger.warning("SMS batches of campaign %s wait for the broker: %s", campaign_id, error)


def batch_send(campaign_id: int, batch: int) -> float | None:
    """Send one batch. Returns the seconds to wait before trying again the messages that surely were
    not sent, or None when there is nothing to retry."""
    request_ref = uuid.uuid4().hex
    claimed = _claim(campaign_id, batch, request_ref)
    if not claimed:
        return None  # another worker has it, or it is done
    campaign = _campaign(campaign_id)
    messages = [sms.Outgoing(str(pk), phone, params) for pk, phone, params, _attempts in claimed]
    if campaign is None:
        results = [sms.Result(m.key, sms.Outcome.REFUSED, error_code=CAMPAIGN_GONE) for m in messages]
    else:
        try:
            results = sms.get_backend().send(campaign.template.for_gateway(), messages, request_ref=request_ref)
        except sms.GatewayError as error:
            results = [sms.Result(m.key, error.outcome, error_code=error.code, error=error.message) for m in messages]
    attempts = max(row[3] for row in claimed)
    return _record(request_ref, results, attempts)


def _campaign(campaign_id):
    """The campaign with its template, or None: no database constraint ties messages to their
    campaign, and one deleted while its outbox was written would otherwise stop the outbox."""
    return Campaign.objects.select_related("template").filter(pk=campaign_id).first()


def _claim(campaign_id, batch, request_ref):
    """queued → sending for the batch, in one statement; returns (id, phone, params, attempts) claimed."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, attempts = attempts + 1, claimed_at = %s, request_ref = %s "  # noqa: S608
            "WHERE campaign_id = %s AND batch = %s AND state = %s RETURNING id, phone, params, attempts",
            [Message.State.SENDING, timezone.now(), request_ref, campaign_id, batch, Message.State.QUEUED],
        )
        rows = cursor.fetchall()
    return [(pk, phone, json.loads(params) if isinstance(params, str) else params, n) for pk, phone, params, n in rows]


def _record(request_ref, results, attempts) -> float | None:
    """Write the provider's answers back to the messages this claim holds; one UPDATE per outcome."""
    by_outcome = defaultdict(list)
    for result in results:
        by_outcome[result.outcome].append(result)
    now = timezone.now()
    retry = None
    with transaction.atomic():
        claimed = Message.objects.filter(state=Message.State.SENDING, request_ref=request_ref)
        if accepted := by_outcome[sms.Outcome.ACCEPTED]:
            claimed.filter(pk__in=_ids(accepted)).update(
                state=Message.State.SENT,
                sent_at=now,
                provider_id=_per_message(accepted, "provider_id"),
                error_code="",
                error="",
            )
        not_sent = by_outcome[sms.Outcome.NOT_SENT]
        if not_sent and attempts < settings.SMS_MAX_ATTEMPTS:
            claimed.filter(pk__in=_ids(not_sent)).update(
                state=Message.State.QUEUED,
                error_code=_per_message(not_sent, "error_code"),
                error=_per_message(not_sent, "error"),
            )
            retry = backoff(attempts)
        elif not_sent:
            _fail(claimed, not_sent, Recipient.CallReason.NOT_SENT, now)
        _fail(claimed, by_outcome[sms.Outcome.REFUSED], Recipient.CallReason.REFUSED, now)
        if unsure := by_outcome[sms.Outcome.UNSURE]:
            # Stays in sending: reconciliation asks the provider before anything is sent again.
            claimed.filter(pk__in=_ids(unsure)).update(error_code=_per_message(unsure, "error_code"))
    return retry


def _per_message(results, attribute):
    """The attribute's value for each message (cut to its column), as one value when they share it
    (one Alibaba BizId)."""
    length = Message._meta.get_field(attribute).max_length
    values = {getattr(r, attribute)[:length] for r in results}
    if len(values) == 1:
        return Value(values.pop())
    return Case(*[When(pk=int(r.key), then=Value(getattr(r, attribute)[:length])) for r in results])


def _ids(results):
    return [int(r.key) for r in results]


def _fail(messages, results, reason, now):
    if not results:
        return
    ids = _ids(results)
    messages.filter(pk__in=ids).update(
        state=Message.State.FAILED,
        failed_at=now,
        error_code=_per_message(results, "error_code"),
        error=_per_message(results, "error"),
    )
    Recipient.objects.filter(message_id__in=ids, call_reason="").update(call_reason=reason)


def backoff(attempts: int) -> float:
    """Seconds before the next try: doubling from SMS_RETRY_BASE_SECONDS, with ±50% jitter so that
    many batches refused together do not come back together."""
    seconds = min(settings.SMS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    return seconds * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not security


def outbox_reconcile(*, stuck_after=None, stalled_after=None) -> dict:
    """Settle messages left in sending by a lost worker, and re-enqueue batches left queued."""
    now = timezone.now()
    if stuck_after is None:
        stuck_after = datetime.timedelta(seconds=settings.SMS_STUCK_AFTER_SECONDS)
    if stalled_after is None:  # longer than any retry's wait
        stalled_after = max(stuck_after, datetime.timedelta(seconds=MAX_BACKOFF_SECONDS * 1.5))
    counts = {"found": 0, "requeued": 0, "to_call": 0, "batches": 0}
    stuck = Message.objects.filter(state=Message.State.SENDING, claimed_at__lt=now - stuck_after)
    for request_ref in stuck.values_list("request_ref", flat=True).distinct():
        _settle_request(request_ref, counts)
    # What no look-up could settle in time (the provider cannot say, or keeps failing) is called.
    unconfirmed = datetime.timedelta(seconds=settings.SMS_UNCONFIRMED_AFTER_SECONDS)
    given_up = Message.objects.filter(state=Message.State.SENDING, claimed_at__lt=now - unconfirmed)
    counts["to_call"] += _unconfirmed(given_up)
    stalled = (
        Message.objects.filter(state=Message.State.QUEUED)
        .filter(Q(claimed_at__lt=now - stalled_after) | Q(claimed_at=None, created_at__lt=now - stalled_after))
        .values_list("campaign_id", "batch")
        .distinct()
    )
    by_campaign = defaultdict(list)
    for campaign_id, batch in stalled:
        by_campaign[campaign_id].append(batch)
    for campaign_id, batches in by_campaign.items():
        enqueue_batches(campaign_id, sorted(batches))
        counts["batches"] += len(batches)
    if any(counts.values()):
        logger.warning("SMS outbox reconciled: %s", counts)
    return counts


def _settle_request(request_ref, counts):
    claimed = Message.objects.filter(state=Message.State.SENDING, request_ref=request_ref)
    messages = list(claimed)
    if not messages:
        return
    backend = sms.get_backend()
    if not backend.can_look_up or (campaign := _campaign(messages[0].campaign_id)) is None:
        counts["to_call"] += _unconfirmed(claimed)
        return
    since = min(m.claimed_at for m in messages)
    outgoing = [sms.Outgoing(str(m.pk), m.phone, m.params) for m in messages]
    try:
        found = backend.look_up(campaign.template.for_gateway(), outgoing, request_ref=request_ref, since=since)
    except sms.GatewayError as error:
        logger.warning("SMS look-up of %s failed, trying later: %s", request_ref, error)
        return
    found_ids = set(_ids(found))
    # Not listed proves not received only where the look-up lists all the provider took; elsewhere
    # the others wait in sending, then are called.
    not_received = [
        sms.Result(str(m.pk), sms.Outcome.NOT_SENT, error_code="not_received")
        for m in messages
        if backend.look_up_is_complete and m.pk not in found_ids
    ]
    # Written back as a send's answer: found → sent; not received → queued again, tries permitting.
    retry = _record(request_ref, found + not_received, max(m.attempts for m in messages))
    counts["found"] += len(found_ids)
    if retry is None:
        counts["to_call"] += len(not_received)
    else:
        counts["requeued"] += len(not_received)
        enqueue_batches(campaign.pk, sorted({m.batch for m in messages if m.pk not in found_ids}))


def _unconfirmed(messages) -> int:
    """Put messages whose sending cannot be confirmed on the call list; returns how many."""
    ids = list(messages.values_list("pk", flat=True))
    results = [sms.Result(str(pk), sms.Outcome.REFUSED, error_code="unconfirmed") for pk in ids]
    with transaction.atomic():
        _fail(messages, results, Recipient.CallReason.UNCONFIRMED, timezone.now())
    return len(ids)


def receipts_apply(receipts: list[sms.Receipt]) -> int:
    """Mark messages delivered or failed from the provider's reports; returns how many matched."""
    now = timezone.now()
    matched = 0
    with transaction.atomic():
        for delivered in (True, False):
            reports = [r for r in receipts if r.delivered == delivered]
            if not reports:
                continue
            match = Q(pk__in=[])
            for r in reports:
                match |= _receipt_match(r)
            waiting = Message.objects.filter(match, state__in=[Message.State.SENDING, Message.State.SENT])
            if delivered:
                matched += waiting.update(
                    state=Message.State.DELIVERED, delivered_at=now, sent_at=Coalesce("sent_at", Value(now))
                )
                continue
            ids = list(waiting.values_list("pk", flat=True))
            codes = Case(*[When(phone=r.phone, then=Value(r.error_code[:64])) for r in reports], default=Value(""))
            Message.objects.filter(pk__in=ids).update(state=Message.State.FAILED, failed_at=now, error_code=codes)
            Recipient.objects.filter(message_id__in=ids, call_reason="").update(
                call_reason=Recipient.CallReason.UNDELIVERED
            )
            matched += len(ids)
    return matched


def _receipt_match(receipt):
    """A report names its message by the provider's id, by our request reference (which Alibaba
    Cloud echoes), or both. Either finds it: a message whose sender was lost after the provider took
    it has our reference but not yet the provider's id."""
    by = Q(pk__in=[])
    if receipt.provider_id:
        by |= Q(provider_id=receipt.provider_id)
    if receipt.request_ref:
        by |= Q(request_ref=receipt.request_ref)
    return Q(phone=receipt.phone) & by
