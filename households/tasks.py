"""The register's background work."""

from celery import shared_task

from . import services


@shared_task(time_limit=600, soft_time_limit=540)
def refresh_age_tags_task():
    """Beat: tag residents who have turned 80 since the last run (idempotent)."""
    return services.refresh_age_tags()
