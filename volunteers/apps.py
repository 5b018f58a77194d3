from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Volunteers, their groups and shifts, and the one task list every other app hands work to."""

    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        # A volunteer's own fields, for the pages and exports that list volunteers (staff's: a
        # volunteer's record is the committee's). The mobile number as a resident's.
        from households import scoping

        from .models import Volunteer

        rules = dict.fromkeys(("name", "age", "source", "skills", "availability"), scoping.EVERYONE)
        scoping.declare_fields(Volunteer, {**rules, "mobile": scoping.PHONE})
