from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Recall and other campaigns: messages to residents chosen from the register, and their outcomes.
    Its tables are the register's (households.models.campaigns), in the register's migrations."""

    name = "households.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        # The register knows no campaign: what it must do for them, the campaigns tell it here.
        from households import scoping
        from households.models import Recipient
        from households.services import follow_resident_moves

        from .services import recipients_follow_resident

        # A recipient's own fields, read by whoever sees the building (the resident's as the register's).
        recipient_fields = ("message", "call_reason", "outcome", "expected_at", "outcome_by", "outcome_at")
        rules = dict.fromkeys(recipient_fields, scoping.EVERYONE)
        rules["outcome_history"] = scoping.DETAILS  # every outcome recorded, with the leaders' notes on the resident
        scoping.declare_fields(Recipient, rules)
        follow_resident_moves(recipients_follow_resident)
