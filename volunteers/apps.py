from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Volunteers, their groups and shifts, and the one task list every other app hands work to."""

    name = "volunteers"
    verbose_name = _("Volunteers")
