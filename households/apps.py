from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Household register")

    def ready(self):
        from .scoping import check_area_paths

        # Every model of every app that declares an area path reaches its area, or start-up fails.
        checks.register(check_area_paths, checks.Tags.models)
