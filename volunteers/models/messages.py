"""The volunteers' SMS outbox: each message (moved up from the waiting list, tomorrow's shift, and
the supplies' word to a household that its parcel waits on the shelf) written once under its own
key, in the transaction that made it due, and sent by a worker that claims it first, so that none
is sent twice or lost."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import AreaPath, Community


class Notice(models.Model):
    class Kind(models.TextChoices):
        MOVED_UP = "moved_up", _("Moved up from the waiting list")
        ROSTER = "roster", _("Tomorrow's shift")
        PARCEL_SHELF = "parcel_shelf", _("A parcel on the building's shelf")  # the supplies' runs

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNSURE = "unsure", _("Unknown: ask the provider")

    community = models.ForeignKey(Community, models.CASCADE, related_name="+")
    key = models.CharField(max_length=100, unique=True)  # "moved_up:<sign-up>", "roster:<roster>:<volunteer>:<n>"
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    phone = models.CharField(_("mobile number"), max_length=11)
    params = models.JSONField(default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    request_ref = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    area_path = AreaPath(community="community")

    class Meta:
        verbose_name = _("volunteer SMS")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "created_at"], name="notice_state_created")]
