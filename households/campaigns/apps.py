from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Recall and other campaigns: messages to residents chosen from the register, and their outcomes.
    Its tables are the register's (households.models.campaigns), in the register's migrations."""

    name = "households.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")
