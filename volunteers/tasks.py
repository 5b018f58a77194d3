"""The volunteers' background work: thin Celery tasks, each calling one service."""

from celery import shared_task
from django.utils import timezone

from . import welfare

# Welfare checks ---------------------------------------------------------------------------------------


@shared_task(time_limit=600, soft_time_limit=540)
def offer_welfare_checks_task():
    """Beat, every morning: today's welfare check of every resident living alone, on the task list
    (idempotent: a second run, or staff's button, offers nothing more). Returns how many were new."""
    return welfare.welfare_checks_offer(date=timezone.localdate())
