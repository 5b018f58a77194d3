from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetsConfig(AppConfig):
    """The register's spreadsheets: imports of a committee's files and the exports the offices ask for.
    Its tables are the register's (households.models.jobs), in the register's migrations."""

    name = "households.spreadsheets"
    label = "spreadsheets"
    verbose_name = _("Spreadsheets")
