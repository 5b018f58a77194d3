from celery import shared_task
from django.conf import settings

from . import export_jobs, imports, outbox, services
from .models import ImportJob


@shared_task(time_limit=600, soft_time_limit=540)
def refresh_age_tags_task():
    """Beat: tag residents who have turned 80 since the last run (idempotent)."""
    return services.refresh_age_tags()


@shared_task(time_limit=imports.TIME_LIMIT, soft_time_limit=imports.TIME_LIMIT - 60)
def preview_import_task(job_pk):
    """Read an uploaded spreadsheet and compare it with the register; writes only the job's preview."""
    job = ImportJob.objects.select_related("community", "compound").filter(pk=job_pk).first()
    if job is not None:
        imports.import_job_preview(job)


@shared_task(time_limit=imports.TIME_LIMIT, soft_time_limit=imports.TIME_LIMIT - 60)
def commit_import_task(job_pk):
    """Write a confirmed import in one transaction."""
    job = ImportJob.objects.select_related("community", "compound").filter(pk=job_pk).first()
    if job is not None:
        imports.import_job_commit(job)


@shared_task(time_limit=export_jobs.TIME_LIMIT - 60, soft_time_limit=export_jobs.TIME_LIMIT - 120)
def export_task(job_pk):
    """Write an export in the background; the page polls its progress."""
    export_jobs.export_job_run(job_pk)


@shared_task(time_limit=600, soft_time_limit=540)
def tidy_exports_task():
    """Beat: fail exports a lost worker left behind; delete exported files (personal data) after
    EXPORT_KEEP_HOURS."""
    return export_jobs.export_jobs_tidy()


@shared_task(time_limit=300, soft_time_limit=270)
def tidy_imports_task():
    """Beat, every few minutes: fail the imports a lost worker or task left behind, soon after the
    time limit, so that the admin waiting on the page learns it and starts again."""
    return imports.import_jobs_tidy()


@shared_task(bind=True, time_limit=settings.SMS_SEND_TIME_LIMIT, soft_time_limit=settings.SMS_SEND_TIME_LIMIT - 10)
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
