"""The volunteers' SMS outbox: a notice is queued once under its key, in the transaction that made
it due, and a worker sends it once.

The worker claims a batch of queued notices with one conditional UPDATE (queued → sending, with a
fresh request reference); only the claim that changed the rows sends them, so a task run twice, or
by two workers, sends nothing twice. The provider's answer is written back to the rows that claim
still holds: accepted → sent, refused → failed, surely not sent → queued again (the beat task's
next run tries it), unsure → unsure, for staff to see. Smaller than the campaigns' outbox
(households.campaigns.outbox): no receipts, no look-ups, no call list.
"""

import logging
import uuid
from collections import Counter, defaultdict

from celery import signature
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from lockdown.core import sms

from .models import Notice

logger = logging.getLogger(__name__)
State = Notice.State
# The Celery task that sends them (tasks.py), handed work by its name: it calls this module.
SEND_TASK = "volunteers.tasks.send_notices_task"
WRITE_BACK = {
    sms.Outcome.ACCEPTED: State.SENT,
    sms.Outcome.REFUSED: State.FAILED,
    sms.Outcome.NOT_SENT: State.QUEUED,
    sms.Outcome.UNSURE: State.UNSURE,
}


def shift_params(volunteer, *shifts) -> dict[str, str]:
    """The values of the moved_up and roster texts (settings.SMS_SITE_TEMPLATES) for one or more
    shifts of a day, in order: one text names them all. The texts are Chinese whatever the page's
    language, as the provider approved them."""
    times, places = [], []
    for shift in shifts:
        starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
        until = f"{ends:%H:%M}" if ends.date() == starts.date() else f"次日{ends:%H:%M}"
        day = "" if times else f"{starts.month}月{starts.day}日"
        times.append(f"{day}{starts:%H:%M}-{until}")
        places.append(shift.meeting_point or "居委会")
    return {
        "name": volunteer.name,
        "shift": "、".join(shift.name for shift in shifts),
        "when": "、".join(times),
        "place": "、".join(dict.fromkeys(places)),
    }


def notices_queue(rows: list[Notice]) -> int:
    """Queue these unsaved notices; a key queued before is left as it is. Returns how many are new.
    The worker is handed them once the transaction commits."""
    known = set(Notice.objects.filter(key__in=[row.key for row in rows]).values_list("key", flat=True))
    new = [row for row in rows if row.key not in known]
    Notice.objects.bulk_create(new, ignore_conflicts=True)  # queued by someone else meanwhile
    if new:
        transaction.on_commit(hand_to_worker)
    return len(new)


def hand_to_worker():
    """A broker out of reach loses nothing: the notices stay queued for the beat task's next run."""
    try:
        signature(SEND_TASK).delay()
    except OperationalError as error:
        logger.warning("Volunteer SMS wait for the broker: %s", error)


def notices_send() -> Counter:
    """Send every queued notice, a batch per request; returns how many came to each state. Stops at
    the first batch the provider did not take (it is down or limiting us): the next run tries again."""
    backend = sms.get_backend()
    size = backend.batch_size(same_params=False)
    counts = Counter()
    for kind in Notice.Kind.values:
        while claimed := _claim(kind, size):
            request_ref, notices = claimed
            outgoing = [sms.Outgoing(str(pk), phone, params) for pk, phone, params in notices]
            try:
                results = backend.send(sms.site_template(kind), outgoing, request_ref=request_ref)
            except sms.GatewayError as error:
                results = [
                    sms.Result(m.key, error.outcome, error_code=error.code, error=error.message) for m in outgoing
                ]
            written = _record(request_ref, results)
            counts.update(written)
            if written[State.QUEUED]:
                return counts
    return counts


def _claim(kind, size):
    """queued → sending for up to `size` notices of `kind`, in one statement: (request_ref, [(id,
    phone, params)]) of those this claim took, or None."""
    request_ref = uuid.uuid4().hex
    batch = Notice.objects.filter(kind=kind, state=State.QUEUED).order_by("pk").values("pk")[:size]
    if not Notice.objects.filter(pk__in=batch, state=State.QUEUED).update(state=State.SENDING, request_ref=request_ref):
        return None
    held = Notice.objects.filter(request_ref=request_ref, state=State.SENDING).order_by("pk")
    return request_ref, list(held.values_list("pk", "phone", "params"))


def _record(request_ref, results) -> Counter:
    """Write each answer back to the notices this claim still holds: one UPDATE per state and error."""
    groups = defaultdict(list)
    for result in results:
        error = f"{result.error_code}: {result.error}" if result.error else result.error_code
        groups[WRITE_BACK[result.outcome], error[:200]].append(int(result.key))
    now = timezone.now()
    held = Notice.objects.filter(request_ref=request_ref, state=State.SENDING)
    written = Counter()
    with transaction.atomic():
        for (state, error), ids in groups.items():
            sent_at = {"sent_at": now} if state == State.SENT else {}
            written[state] += held.filter(pk__in=ids).update(state=state, error=error, **sent_at)
    return written
