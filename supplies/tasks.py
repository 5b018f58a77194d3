"""The supplies' background work: thin Celery tasks, each calling one service."""

from celery import shared_task

from . import gate


@shared_task(time_limit=120, soft_time_limit=100)
def release_held_parcels_task():
    """Beat, each minute: parcels whose hold is over are ready for a wave (each wave's loading does
    it too, so that none waits for this). Run twice at once, each parcel moves once."""
    return gate.parcels_release()
