"""The volunteers' background work: thin Celery tasks, each calling one service."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import notices, rosters, welfare

# Shifts and their SMS ---------------------------------------------------------------------------------


@shared_task(
    name=notices.SEND_TASK,
    time_limit=settings.SMS_SEND_TIME_LIMIT * 5,
    soft_time_limit=settings.SMS_SEND_TIME_LIMIT * 4,
)
def send_notices_task():
    """Send the queued volunteer SMS: handed work after each commit that queued some, and run by
    beat for whatever is left queued (a provider that was down, a broker out of reach). Run twice
    at once, it sends each notice once: each batch is claimed first."""
    return dict(notices.notices_send())


@shared_task(time_limit=600, soft_time_limit=540)
def stamp_tomorrow_task():
    """Beat, each afternoon: tomorrow's roster of every compound from its templates (idempotent:
    staff's button, or a second run, adds nothing more). Returns how many shifts were new."""
    return rosters.stamp_tomorrow_everywhere()


# Welfare checks ---------------------------------------------------------------------------------------


@shared_task(time_limit=600, soft_time_limit=540)
def offer_welfare_checks_task():
    """Beat, every morning: today's welfare check of every resident living alone, on the task list
    (idempotent: a second run, or staff's button, offers nothing more). Returns how many were new."""
    return welfare.welfare_checks_offer(date=timezone.localdate())
