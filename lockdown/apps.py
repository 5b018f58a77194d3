from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LockdownConfig(AppConfig):
    name = "lockdown"
    verbose_name = _("Command centre")
