"""The daily welfare check of residents tagged elderly living alone, by the volunteers of their
building: each check is a task on the volunteers' one list, and its outcome is kept here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import AreaPath, Building, Community, Resident

from .task_list import Task


class WelfareCheck(models.Model):
    class Outcome(models.TextChoices):
        WELL = "well", _("Seen, well")
        NEEDS = "needs", _("Needs something")
        NO_ANSWER = "no_answer", _("No answer")

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="+", verbose_name=_("resident"))
    # Copied from the resident, as the register's tags are: a building's list reads one column.
    building = models.ForeignKey(Building, models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    date = models.DateField(_("date"))
    task = models.OneToOneField(Task, models.SET_NULL, null=True, blank=True, related_name="welfare_check")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    # Staff's answer to "needs something" or "no answer": the alert on their pages ends here.
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    area_path = AreaPath(building="building", community="community")

    class Meta:
        verbose_name = _("welfare check")
        ordering = ["date", "building_id", "id"]
        constraints = [models.UniqueConstraint(fields=["resident", "date"], name="welfare_check_once_a_day")]
        indexes = [models.Index(fields=["community", "date", "outcome"], name="welfare_community_day")]
