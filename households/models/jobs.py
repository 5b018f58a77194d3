"""Spreadsheets brought to the register, and tables written from it, as background jobs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lockdown.core.jobs import BackgroundJob

from .areas import Building, Community, Compound
from .campaigns import Campaign


class ImportJob(BackgroundJob):
    """One spreadsheet brought to the register: read and previewed first, then confirmed or cancelled."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        READING = "reading", _("Reading")
        NEEDS_MAPPING = "needs_mapping", _("Columns to choose")
        PREVIEW = "preview", _("Ready to confirm")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    community = models.ForeignKey(Community, models.PROTECT, related_name="import_jobs", verbose_name=_("community"))
    # Where rows land that name no compound: an existing compound, or a new one named here, or else
    # the compound the file's title names, or else one named after the community.
    compound = models.ForeignKey(
        Compound, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("compound")
    )
    compound_name = models.CharField(_("new compound"), max_length=50, blank=True)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # The admin's choices: the field of each column (header key → field, "" for not read), the meaning
    # of each word not understood (field → {phrase: value}), which row to keep of the same person
    # twice (duplicate key → row index), and whether rows whose ID number a spreadsheet rounded go in
    # without it.
    columns = models.JSONField(default=dict, blank=True)
    words = models.JSONField(default=dict, blank=True)
    keep = models.JSONField(default=dict, blank=True)
    without_rounded_ids = models.BooleanField(default=False)
    # What the reading found: sheets, columns, mapping problems; then the preview.
    sheets = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)
    lines_total = models.PositiveIntegerField(default=0)
    lines_read = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    new_areas = models.JSONField(default=dict, blank=True)  # {"compounds": [...], "buildings": [...], "households": n}
    changes = models.JSONField(default=list, blank=True)  # changed residents, field by field (masked)
    errors = models.JSONField(default=list, blank=True)  # rejected rows: sheet, line, column, message
    # What else the reading found: words not understood ("unknown": field, phrase, rows), cells kept in
    # the notes ("kept"), the same person on several rows ("duplicates"), and counts ("left_out",
    # "rounded_ids", "without_id").
    findings = models.JSONField(default=dict, blank=True)
    plan_digest = models.CharField(max_length=64, blank=True)

    FILE_FOLDER = "imports"
    RUNNING = (Status.QUEUED, Status.READING, Status.COMMITTING)
    PROGRESS_FIELDS = (*BackgroundJob.PROGRESS_FIELDS, "lines_total", "lines_read", "rows_checked")

    def progress(self):
        # Lines read, then the whole file while it is written in one transaction.
        done = self.lines_total if self.status == self.Status.COMMITTING else self.lines_read
        return done, self.lines_total


class ImportMapping(models.Model):
    """The column choices an admin made, remembered for the next import of the community."""

    community = models.OneToOneField(Community, models.CASCADE, related_name="import_mapping")
    columns = models.JSONField(default=dict)  # header key → field ("" for not read)
    words = models.JSONField(default=dict)  # field → {phrase: meaning}
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class ExportJob(BackgroundJob):
    """One table written in the background for the person who asked (a table of the register, or a
    campaign for the night-time check); theirs alone to download, for a day."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted")

    CAMPAIGN = "campaign"

    # The file is the account's alone: it goes with the account.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=20)  # a key of households.spreadsheets.tables.KINDS, or CAMPAIGN
    fmt = models.CharField(max_length=4)
    # A one-building export goes with its building: it must never become an export of every area.
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="+")
    # A campaign's export (kind CAMPAIGN) goes with its campaign.
    campaign = models.ForeignKey(Campaign, models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The account's roles and areas when the file was written (AreaScope.fingerprint): if they change,
    # the file may hold what the account may no longer see, and it is not handed out.
    scope_fingerprint = models.CharField(max_length=32, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    # file_name is the name it downloads under.

    FILE_FOLDER = "exports"
    RUNNING = (Status.QUEUED, Status.WRITING)
    PROGRESS_FIELDS = (*BackgroundJob.PROGRESS_FIELDS, "rows_total", "rows_written")

    def progress(self):
        return self.rows_written, self.rows_total
