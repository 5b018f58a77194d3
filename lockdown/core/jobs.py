"""The shape every background job shares (an import, an export of a table or of a campaign): who
asked, from where, in which language, when it was queued, last heard of and finished, the file it
reads or writes, what it said last; and one answer to the page's progress bar, which static/js/app.js
polls for every [data-progress-url] on a page.

Each job keeps its own counters under its own column names (an import counts lines read, an export
rows written) and says through `progress()` which of them are done and total.
"""

from django.conf import settings
from django.db import models
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def job_file_path(job, filename):
    """Where a job's file is kept: its kind's folder (FILE_FOLDER), by year and month."""
    return f"{job.FILE_FOLDER}/{timezone.localtime():%Y/%m}/{filename}"


class BackgroundJob(models.Model):
    FILE_FOLDER = "jobs"
    RUNNING: tuple = ()  # the statuses in which a worker has the job (a subclass names its own)
    # The fields the progress poll reads: the status, the message and the job's own counters.
    PROGRESS_FIELDS: tuple = ("status", "message")

    # An import stays with the account that wrote it to the register; an export may go with it.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the job's task (queued, claimed, progress): a lost job is failed after a while.
    progress_at = models.DateTimeField(default=timezone.now)
    # The requester's address, recorded with the audit event of what the job hands out.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    file = models.FileField(upload_to=job_file_path, blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    message = models.TextField(blank=True)  # why it failed, or what the last step said

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name

    @property
    def is_running(self):
        return self.status in self.RUNNING

    def progress(self) -> tuple[int, int]:
        """(done, total) in the job's own unit."""
        raise NotImplementedError

    def progress_json(self) -> dict:
        """What the page's progress bar reads: how far, in what state, and what the job said."""
        done, total = self.progress()
        return {
            "status": self.status,
            "status_label": self.get_status_display(),
            "running": self.is_running,
            "done": done,
            "total": total,
            "percent": min(100, done * 100 // total) if total else 0,
            "message": self.message,
        }

    def report_progress(self, **counts) -> bool:
        """Store the job's counters and a sign of life while it keeps its status; False when someone
        else moved it on meanwhile (cancelled, failed as lost), so that the worker stops."""
        updated = type(self).objects.filter(pk=self.pk, status=self.status).update(progress_at=timezone.now(), **counts)
        return updated == 1


def progress_response(job: BackgroundJob, **extra) -> JsonResponse:
    """The progress poll's answer: the shared numbers, and any the job's own page shows besides."""
    return JsonResponse(job.progress_json() | extra)
