"""What changed in a household, and each deliberate look at protected data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .areas import Community
from .register import Household, Resident


class Change(models.Model):
    """One entry of a household's history: who changed what, and when.

    Sensitive values (ID and phone numbers) are stored masked: history is read by more people than
    may see the numbers.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        MOVED_IN = "moved_in", _("Moved in")
        MOVED_OUT = "moved_out", _("Moved away")
        PRESENCE = "presence", _("Presence changed")

    community = models.ForeignKey(Community, models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, models.CASCADE, related_name="changes")
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    changes = models.JSONField(default=dict)
    import_job = models.ForeignKey("ImportJob", models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The version of the resident (or, for a change of the household itself, of the household) that
    # this change made: what changed since a form read version n is the changes of versions above n.
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household", "-at"], name="change_household_at")]


class AuditEvent(models.Model):
    """A deliberate look at protected data (an ID or phone number revealed, an export), or an ID
    number typed or imported that is another community's resident's (households.id_conflicts)."""

    class Action(models.TextChoices):
        REVEAL_ID = "reveal_id", _("Revealed ID number")
        REVEAL_PHONE = "reveal_phone", _("Revealed mobile number")
        EXPORT = "export", _("Export")
        ID_CONFLICT = "id_conflict", _("ID number of another register")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
