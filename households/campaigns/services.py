"""Campaigns: choose residents on the register, preview their messages, send, record outcomes.

Sending writes the whole outbox in one transaction (a message per mobile number, a recipient row per
resident) and hands its batches to Celery on commit; `outbox` does the sending.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from households import services
from households.models import (
    Building,
    Campaign,
    Compound,
    Message,
    Presence,
    Recipient,
    RecipientOutcomeEvent,
    Resident,
    ResidentTag,
    SmsTemplate,
    Tag,
)
from households.scoping import AreaScope
from lockdown.core import sms
from lockdown.core.bulk import insert_rows
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.identity import MOBILE_PATTERN, mask_phone
from lockdown.core.transitions import transition

from . import outbox

NAME_SEPARATOR = "、"
# A number shared by a big family names the first few; the text must stay short.
NAMES_IN_ONE_MESSAGE = 3
CONTACT_PHONE_CHARS = set("0123456789-")
BLANK_MESSAGE_COLUMNS = ["request_ref", "provider_id", "error_code", "error"]


@dataclass(frozen=True)
class CampaignInput:
    title: str
    template: SmsTemplate
    deadline: datetime.datetime
    contact_phone: str
    presence: str = Presence.AWAY
    compound_ids: tuple[int, ...] = ()
    building_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class PlannedMessage:
    phone: str
    params: dict
    residents: list[tuple[int, int]] = field(default_factory=list)  # (resident id, building id)


@dataclass
class Plan:
    """Who gets which message, and who is called instead (resident id, building id, reason)."""

    messages: list[PlannedMessage]
    calls: list[tuple[int, int, str]]

    @property
    def residents(self):
        return sum(len(m.residents) for m in self.messages) + len(self.calls)


@dataclass(frozen=True)
class Sample:
    names: str
    phone: str  # masked
    text: str
    segments: int


@dataclass(frozen=True)
class Preview:
    residents: int
    messages: int
    calls: dict  # reason label → residents
    samples: list[Sample]


def campaign_create(*, actor, community, data: CampaignInput) -> Campaign:
    if not AreaScope.for_user(actor).may_edit_community(community):
        raise NotPermitted(_("Only the community's staff may start a campaign."))
    _check_input(community, data)
    return Campaign.objects.create(
        community=community,
        title=data.title.strip(),
        template=data.template,
        deadline=data.deadline,
        contact_phone=data.contact_phone.strip(),
        presence=data.presence,
        compound_ids=sorted(data.compound_ids),
        building_ids=sorted(data.building_ids),
        tags=sorted(data.tags),
        created_by=actor,
    )


def _check_input(community, data):
    if not data.title.strip():
        raise ServiceError(_("Give the campaign a title."), field="title")
    if not data.template.active:
        raise ServiceError(_("This template is no longer in use."), field="template")
    if data.deadline <= timezone.now():
        raise ServiceError(_("The deadline has passed: choose a time to come."), field="deadline")
    phone = data.contact_phone.strip()
    if not (5 <= len(phone) <= 20 and set(phone) <= CONTACT_PHONE_CHARS):
        raise ServiceError(_("Write the committee's phone as digits, with dashes if you like."), field="contact_phone")
    if data.presence not in Presence.values:
        raise ServiceError(_("Choose where the residents are."), field="presence")
    if set(data.tags) - set(Tag.values):
        raise ServiceError(_("Choose key populations from the list."), field="tags")
    compounds = Compound.objects.filter(community=community, pk__in=data.compound_ids).count()
    buildings = Building.objects.filter(community=community, pk__in=data.building_ids).count()
    if compounds != len(set(data.compound_ids)) or buildings != len(set(data.building_ids)):
        raise ServiceError(_("Choose compounds and buildings of this community."))


def campaign_residents(campaign):
    """The residents the campaign's query picks on the register, now."""
    residents = Resident.objects.filter(community_id=campaign.community_id, presence=campaign.presence)
    if campaign.compound_ids:
        residents = residents.filter(building__compound_id__in=campaign.compound_ids)
    if campaign.building_ids:
        residents = residents.filter(building_id__in=campaign.building_ids)
    if campaign.tags:
        tagged = ResidentTag.objects.filter(resident_id=OuterRef("pk"), tag__in=campaign.tags)
        residents = residents.filter(Exists(tagged))
    return residents


def campaign_plan(campaign) -> Plan:
    """One message per valid mobile number (naming everyone who shares it); everyone else to call."""
    rows = (
        campaign_residents(campaign)
        .order_by("building__sort_key", "building__number", "household_id", "id")
        .values_list("id", "building_id", "name", "phone", "building__compound__name")
    )
    by_phone: dict[str, list] = {}
    calls = []
    for resident_id, building_id, name, phone, compound in rows:
        if MOBILE_PATTERN.match(phone or ""):
            by_phone.setdefault(phone, []).append((resident_id, building_id, name, compound))
        else:
            calls.append((resident_id, building_id, Recipient.CallReason.NO_MOBILE))
    capped = phones_at_daily_cap()
    # The text goes to residents in Chinese, whatever the language of the staff's screen.
    deadline = timezone.localtime(campaign.deadline)
    shared = {"deadline": f"{deadline.month}月{deadline.day}日{deadline:%H:%M}", "phone": campaign.contact_phone}
    messages = []
    for phone, residents in by_phone.items():
        if phone in capped:
            calls.extend((r[0], r[1], Recipient.CallReason.DAILY_CAP) for r in residents)
            continue
        names = NAME_SEPARATOR.join(r[2] for r in residents[:NAMES_IN_ONE_MESSAGE])
        if len(residents) > NAMES_IN_ONE_MESSAGE:
            names += "等"
        params = {"name": names, "compound": residents[0][3], **shared}
        messages.append(PlannedMessage(phone, params, [(r[0], r[1]) for r in residents]))
    return Plan(messages, calls)


def phones_at_daily_cap() -> set[str]:
    """The numbers that have had SMS_DAILY_CAP_PER_PHONE messages today (counting those still on their way).

    Reads today's messages rather than looking each recipient up: a day's outbox is small next to
    the list of numbers a campaign would pass."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = (
        Message.objects.filter(created_at__gte=midnight)
        .exclude(state=Message.State.FAILED, sent_at=None)  # refused or never sent: not counted by the provider
        .values("phone")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.SMS_DAILY_CAP_PER_PHONE)
    )
    return {row["phone"] for row in today}


def campaign_preview(campaign, sample_size=5) -> Preview:
    plan = campaign_plan(campaign)
    template = campaign.template.for_gateway()
    samples = []
    for message in plan.messages[:sample_size]:
        text = sms.render(template, message.params)
        samples.append(Sample(message.params["name"], mask_phone(message.phone), text, sms.segments(text)))
    reasons = Counter(reason for _resident, _building, reason in plan.calls)
    return Preview(
        residents=plan.residents,
        messages=len(plan.messages),
        calls={Recipient.CallReason(reason).label: n for reason, n in reasons.items()},
        samples=samples,
    )


def campaign_send(*, actor, campaign: Campaign) -> Campaign:
    """Write the outbox and the recipients in one transaction; the batches go to Celery on commit."""
    if not AreaScope.for_user(actor).may_edit_community(campaign.community):
        raise NotPermitted(_("Only the community's staff may send a campaign."))
    with transaction.atomic():
        # Two clicks on "send", by one person or two, wait for each other here (a row lock on
        # PostgreSQL; on SQLite the transaction's write lock, DATABASES' transaction_mode); the
        # second finds the campaign sent.
        campaign = Campaign.objects.select_for_update().select_related("template").get(pk=campaign.pk)
        if not campaign.is_draft:
            raise ServiceError(_("This campaign is already going out: follow it on this page."))
        if campaign.deadline <= timezone.now():
            raise ServiceError(_("The deadline has passed: start a new campaign with a time to come."))
        plan = campaign_plan(campaign)
        if not plan.residents:
            raise ServiceError(_("No resident matches this campaign: nothing was sent."))
        batches = _write_outbox(campaign, plan)
        campaign.sent_at, campaign.sent_by = timezone.now(), actor
        campaign.save(update_fields=["sent_at", "sent_by"])
        transaction.on_commit(lambda: outbox.enqueue_batches(campaign.pk, range(batches)))
    return campaign


def _write_outbox(campaign, plan) -> int:
    """Insert the messages and recipients; return the number of batches."""
    same_params = all(m.params == plan.messages[0].params for m in plan.messages)
    size = sms.get_backend().batch_size(same_params)
    now, QUEUED = timezone.now(), Message.State.QUEUED.value
    # Django's field defaults are not the table's: every column that may not be NULL is written.
    message_ids = insert_rows(
        Message,
        ["campaign_id", "batch", "phone", "params", "state", "attempts", "created_at"] + BLANK_MESSAGE_COLUMNS,
        [
            (campaign.pk, i // size, m.phone, m.params, QUEUED, 0, now, "", "", "", "")
            for i, m in enumerate(plan.messages)
        ],
    )
    recipients = [
        (campaign.pk, resident_id, building_id, message_id, "", "")
        for message, message_id in zip(plan.messages, message_ids, strict=True)
        for resident_id, building_id in message.residents
    ]
    recipients += [(campaign.pk, resident, building, None, reason, "") for resident, building, reason in plan.calls]
    columns = ["campaign_id", "resident_id", "building_id", "message_id", "call_reason", "outcome"]
    insert_rows(Recipient, columns, recipients, ids=False)
    return -(-len(plan.messages) // size)


def recipients_follow_resident(resident: Resident):
    """A resident who moves takes their recipient rows along (follow_resident_moves, in apps.py): the
    new building's leader calls them, the old's no more."""
    Recipient.objects.filter(resident=resident).update(building_id=resident.building_id)


def recipient_record_outcome(
    *, actor, recipient: Recipient, outcome: str, expected_at=None, seen: str | None = None, note: str = ""
) -> Recipient:
    """Record what became of a recipient; *returned* also marks the resident at home, with history.

    `seen`: the outcome the person saw when they chose (the form carries it; None: the one
    `recipient` holds). If someone recorded another since, nothing is written and TransitionLost
    says who recorded what and when: of two leaders recording at once, one wins and the other is
    told. Every outcome recorded is kept as a RecipientOutcomeEvent."""
    resident = recipient.resident
    if not AreaScope.for_user(actor).permissions_for(resident.household).mark_presence:
        raise NotPermitted(_("You may not record outcomes for this resident."))
    if outcome not in Recipient.Outcome.values:
        raise ServiceError(_("Choose an outcome."), field="outcome")
    if outcome == Recipient.Outcome.CONFIRMED and expected_at is None:
        raise ServiceError(_("Say when the resident expects to be back."), field="expected_at")
    if outcome == Recipient.Outcome.CONFIRMED and expected_at < timezone.now() - datetime.timedelta(hours=1):
        raise ServiceError(_("That time has passed: if the resident is back, choose Returned."), field="expected_at")
    if outcome != Recipient.Outcome.CONFIRMED:
        expected_at = None
    seen = recipient.outcome if seen is None else seen
    now = timezone.now()
    with transaction.atomic():
        transition(
            Recipient.objects,
            recipient.pk,
            field="outcome",
            from_states=seen,
            to_state=outcome,
            by=actor,
            why=note,
            at=now,
            also={"expected_at": expected_at, "outcome_by": actor, "outcome_at": now},
            event=RecipientOutcomeEvent,
            event_fields={"expected_at": expected_at},
        )
        recipient.outcome, recipient.expected_at = outcome, expected_at
        recipient.outcome_by, recipient.outcome_at = actor, now
        if outcome == Recipient.Outcome.RETURNED:
            services.resident_set_presence(actor=actor, resident=resident, presence=Presence.HOME)
        elif seen == Recipient.Outcome.RETURNED:  # a mistaken "returned" put right: the resident is away after all
            services.resident_set_presence(actor=actor, resident=resident, presence=Presence.AWAY)
    return recipient
