"""A campaign as .xlsx for the night-time check: one row per resident, by building and room.

Written in the background as the register's tables are (spreadsheets.exports: one job at a time per
account, progress on the exports page, the file for the asker alone, deleted after EXPORT_KEEP_HOURS):
ten thousand recipients take longer to write than a web request should last.

Column titles are Chinese whatever the screen's language: the sheet goes round the committee. Each field
is as the caller's role over the building reads it (scoping.FIELDS: phone numbers in full where it
may reveal them, none for a volunteer), and the export is recorded, as the register's exports are.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.models import AuditEvent, Building, ExportJob, Recipient, room_label
from households.scoping import AreaScope
from households.spreadsheets import exports
from households.spreadsheets.tables import RowCounter
from lockdown.core.errors import ServiceError
from lockdown.core.spreadsheets import Column, SheetSpec, write_table

from . import selectors

COLUMNS = [
    Column("房号", 20),  # with its compound where the community has several (residents.room_label)
    Column("姓名", 10),
    Column("手机", 14),
    Column("短信", 10),
    Column("需电话联系", 22),
    Column("结果", 12),
    Column("预计返回", 16),
    Column("记录人", 10),
    Column("记录时间", 16),
]


def campaign_export_create(*, actor, campaign, ip_address=None) -> ExportJob:
    """Open the background export of a campaign the actor sees; the caller schedules export_campaign_task."""
    if campaign.is_draft:
        raise ServiceError(_("A draft has nothing to export yet: send it first."))
    _require_visible(AreaScope.for_user(actor), campaign.pk)
    return exports.export_job_open(
        actor=actor,
        kind=ExportJob.CAMPAIGN,
        fmt="xlsx",
        campaign=campaign,
        ip_address=ip_address,
        file_name=f"{campaign.title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
    )


def campaign_job_write(job: ExportJob, target, on_progress) -> int:
    """The writer of a campaign's export job, for spreadsheets.exports.export_job_run."""
    scope = AreaScope.for_user(job.created_by)
    _require_visible(scope, job.campaign_id)  # the account's areas may have changed since it asked
    return write_campaign(
        actor=job.created_by,
        scope=scope,
        campaign=job.campaign,
        target=target,
        ip_address=job.ip_address,
        on_progress=on_progress,
    )


def _require_visible(scope, campaign_pk):
    if not selectors.visible_campaigns(scope).filter(pk=campaign_pk).exists():
        raise ServiceError(_("This campaign is not in your areas."))


def write_campaign(*, actor, scope, campaign, target, ip_address=None, on_progress=None) -> int:
    """Write the campaign's sheet to `target` (a binary file) in streaming mode; audit it; return its rows."""
    recipients = selectors.campaign_recipients(scope, campaign)
    permissions = scope.permissions_by_building(Building.objects.filter(pk__in=recipients.values("building_id")))
    rows = (_row(recipient, permissions[recipient.building_id]) for recipient in recipients.iterator(chunk_size=2000))
    title = f"{campaign.title}（截至 {timezone.localtime():%Y-%m-%d %H:%M}）"
    counter = RowCounter(on_progress)
    if on_progress is not None:
        counter.total = recipients.count()
        on_progress(0, counter.total)
    with translation.override("zh-hans"):
        write_table([SheetSpec("召回", COLUMNS, counter.count(rows), titles=(title,), for_print=True)], target)
    AuditEvent.objects.create(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        ip_address=ip_address,
        detail={"kind": "campaign", "campaign": campaign.pk, "rows": counter.rows},
    )
    return counter.rows


def _row(recipient, permissions):
    resident, household = recipient.resident, recipient.resident.household
    shown = permissions.readable(
        {
            "message": recipient.message.get_state_display() if recipient.message else "",
            "call_reason": recipient.get_call_reason_display(),
            "outcome": recipient.get_outcome_display(),
            "expected_at": _when(recipient.expected_at),
            "outcome_by": str(recipient.outcome_by or ""),
            "outcome_at": _when(recipient.outcome_at),
        },
        of=Recipient,
    )
    return [
        room_label(recipient.building.number, household.unit, household.room, recipient.compound_shown),
        permissions.read("name", resident.name),
        permissions.read("phone", resident.phone, unmasked=True),
        *(value or "" for value in shown.values()),
    ]


def _when(moment):
    return f"{timezone.localtime(moment):%m-%d %H:%M}" if moment else ""
