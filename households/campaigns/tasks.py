"""Sending a campaign's messages, batch by batch; writing its export."""

from celery import shared_task
from django.conf import settings

from households.spreadsheets.exports import TIME_LIMIT as EXPORT_TIME_LIMIT
from households.spreadsheets.exports import export_job_run

from . import exports, outbox


@shared_task(
    bind=True,
    name=outbox.SEND_BATCH_TASK,
    time_limit=settings.SMS_SEND_TIME_LIMIT,
    soft_time_limit=settings.SMS_SEND_TIME_LIMIT - 10,
)
def send_batch_task(self, campaign_pk, batch):
    """Send one batch of a campaign's outbox; messages surely not sent are tried again later."""
    retry_in = outbox.batch_send(campaign_pk, batch)
    # In-process (no broker) there is nobody to run a retry later: the messages stay queued for the
    # outbox's reconciliation to hand out again.
    if retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=retry_in, max_retries=None)


@shared_task(time_limit=300, soft_time_limit=270)
def reconcile_outbox_task():
    """Beat: settle messages a lost worker left in sending; hand stalled batches to Celery again."""
    return outbox.outbox_reconcile()


@shared_task(time_limit=EXPORT_TIME_LIMIT - 60, soft_time_limit=EXPORT_TIME_LIMIT - 120)
def export_campaign_task(job_pk):
    """Write a campaign's export in the background, as the register's are (spreadsheets.tasks.export_task)."""
    export_job_run(job_pk, write=exports.campaign_job_write)
