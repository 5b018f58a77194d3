"""Campaigns: messages to residents chosen from the register, and what became of each one.

A campaign (a recall now; a test round's call-down or a delivery notice later) picks its recipients
with a query on the register. Each recipient is reached by one outbox message (residents sharing
a mobile number share one), or lands on the call list with a reason. Staff and leaders record each
recipient's outcome.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lockdown.core import sms
from lockdown.core.transitions import TransitionEvent

from .areas import AreaPath, Building, Community
from .register import Presence, Resident

# What a template may ask for, filled in per recipient.
TEMPLATE_PARAMETERS = {
    "name": _("resident's name"),
    "compound": _("compound"),
    "deadline": _("deadline"),
    "phone": _("committee's phone"),
}


class SmsTemplate(models.Model):
    """A text approved by the SMS provider: its code there, its text, the names of its parameters."""

    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("provider's template code"), max_length=40)
    body = models.TextField(_("approved text"), help_text=_("As approved, with parameters written ${name}."))
    # In the provider's order: Tencent Cloud numbers its parameters {1}, {2} … in this order.
    params = models.CharField(_("parameters"), max_length=200, help_text=_("Comma-separated, in the provider's order."))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("SMS template")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.params.split(",") if name.strip())

    def clean(self):
        unknown = [name for name in self.param_names if name not in TEMPLATE_PARAMETERS]
        if unknown:
            known = ", ".join(TEMPLATE_PARAMETERS)
            raise ValidationError(
                {
                    "params": _("Unknown parameters: %(names)s. Known: %(known)s.")
                    % {"names": ", ".join(unknown), "known": known}
                }
            )
        missing = [name for name in sms.placeholders(self.body) if name not in self.param_names]
        if missing:
            raise ValidationError(
                {"body": _("The text uses parameters not listed: %(names)s.") % {"names": ", ".join(missing)}}
            )

    def for_gateway(self) -> sms.Template:
        return sms.Template(code=self.code, body=self.body, params=self.param_names, sign_name=settings.SMS_SIGN_NAME)


class Campaign(models.Model):
    class Kind(models.TextChoices):
        RECALL = "recall", _("Recall")

    community = models.ForeignKey(Community, models.PROTECT, related_name="campaigns", verbose_name=_("community"))
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RECALL)
    title = models.CharField(_("title"), max_length=100)
    template = models.ForeignKey(SmsTemplate, models.PROTECT, related_name="+", verbose_name=_("SMS template"))
    deadline = models.DateTimeField(_("deadline"))
    contact_phone = models.CharField(_("committee's phone"), max_length=20)
    # The query on the register: presence, and optionally compounds, buildings, key-population tags.
    presence = models.CharField(_("presence"), max_length=12, choices=Presence.choices, default=Presence.AWAY)
    compound_ids = models.JSONField(default=list, blank=True)
    building_ids = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_draft(self):
        return self.sent_at is None


class Message(models.Model):
    """One outbox row: one text message to one number, from queued to delivered or failed."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    # Indexes: each one slows the write of a campaign's whole outbox; (campaign, batch) serves the campaign.
    # No database constraint on the campaign: nothing deletes a campaign but the ORM, which
    # cascades, and checking it once per row took a fifth of the time from "send" to the first
    # message of a 10,000-message campaign. The outbox copes with a campaign gone all the same.
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="messages", db_index=False, db_constraint=False)
    batch = models.PositiveIntegerField()  # the messages sent in one request to the provider
    phone = models.CharField(max_length=11)
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set when a worker claims the message, and sent to the provider (OutId, SessionContext): it is
    # how a message whose sending was interrupted is found again at the provider.
    request_ref = models.CharField(max_length=40, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "batch"], name="message_campaign_batch"),
            models.Index(fields=["state", "claimed_at"], name="message_state_claimed"),
            models.Index(fields=["created_at"], name="message_created"),  # the daily cap reads today's
            # Partial: a queued message has neither yet, so writing the outbox adds nothing to them.
            models.Index(fields=["provider_id"], name="message_provider_id", condition=~Q(provider_id="")),
            models.Index(fields=["request_ref"], name="message_request_ref", condition=~Q(request_ref="")),
        ]


class Recipient(models.Model):
    """One resident chosen by a campaign: the message that reaches them, or why they must be called."""

    class CallReason(models.TextChoices):
        NO_MOBILE = "no_mobile", _("No valid mobile number")
        DAILY_CAP = "daily_cap", _("Daily message limit for this number reached")
        REFUSED = "refused", _("The provider refused the number")
        NOT_SENT = "not_sent", _("Could not be sent")
        UNDELIVERED = "undelivered", _("Not delivered")
        UNCONFIRMED = "unconfirmed", _("Sending could not be confirmed")

    class Outcome(models.TextChoices):
        REPLIED = "replied", _("Replied")
        CONFIRMED = "confirmed", _("Confirmed returning")
        RETURNED = "returned", _("Returned")
        WILL_NOT_RETURN = "will_not_return", _("Will not return")
        UNREACHABLE = "unreachable", _("Unreachable")

    # No single-column indexes on campaign and resident: the (campaign, building) and unique
    # (resident, campaign) indexes lead with them; building is only read with its campaign.
    # The ORM keeps the campaign, resident and message (CASCADE, SET_NULL), with no database
    # constraint: checking them at commit took most of the time of committing a 10,000-row
    # outbox, and locked each resident's row.
    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="recipients", db_index=False, db_constraint=False
    )
    resident = models.ForeignKey(Resident, models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    # Denormalised from the resident when the campaign is sent: scoping and progress by building. No
    # constraint of its own (the resident's holds it): one check less per row of a 10,000-row outbox.
    building = models.ForeignKey(Building, models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    message = models.ForeignKey(
        Message, models.SET_NULL, null=True, blank=True, related_name="recipients", db_constraint=False
    )
    call_reason = models.CharField(_("to call because"), max_length=12, choices=CallReason.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    expected_at = models.DateTimeField(_("expected back"), null=True, blank=True)
    # Indexed where set only (below): a campaign's outbox is written with none.
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    area_path = AreaPath(building="building")  # the copied building: its committee through it

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resident", "campaign"], name="recipient_unique")]
        indexes = [
            models.Index(fields=["campaign", "building"], name="recipient_campaign_building"),
            models.Index(fields=["outcome_by"], name="recipient_outcome_by", condition=Q(outcome_by__isnull=False)),
        ]


class RecipientOutcomeEvent(TransitionEvent):
    """Each outcome recorded for a recipient (from, to, who, when, note): every one is kept; the
    recipient's row holds the latest, which the lists and counts read."""

    subject_field = "recipient"
    recipient = models.ForeignKey(Recipient, models.CASCADE, related_name="outcome_events")
    expected_at = models.DateTimeField(_("expected back"), null=True, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("recipient's outcome")
