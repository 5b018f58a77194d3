from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Volunteers, their groups and shifts, and the one task list every other app hands work to."""

    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        # The register knows no volunteer: what it must do for them, the volunteers tell it here.
        from households import scoping
        from households.services import follow_resident_moves

        from . import task_list, welfare
        from .models import Volunteer, WelfareCheck

        # A volunteer's own fields, for the pages and exports that list volunteers (staff's: a
        # volunteer's record is the committee's); the mobile number as a resident's.
        rules = dict.fromkeys(("name", "age", "source", "skills", "availability"), scoping.EVERYONE)
        scoping.declare_fields(Volunteer, {**rules, "mobile": scoping.PHONE})
        # Whoever sees the building reads how the check went and who did it; the note for staff
        # (what the resident needs) is read as the residents' notes are, not by volunteers.
        done = ("date", "outcome", "checked_by", "checked_at", "handled_by", "handled_at")
        scoping.declare_fields(WelfareCheck, {**dict.fromkeys(done, scoping.EVERYONE), "note": scoping.DETAILS})
        follow_resident_moves(welfare.welfare_checks_follow_resident)
        task_list.finished_by_its_app(welfare.KIND)  # a check is done by recording what was found
