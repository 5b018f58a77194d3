"""The one list of tasks for volunteers' phones: what other apps hand to volunteers (a parcel run, a
kit to hand out, a medicine run) and this app's own welfare checks, each in one building.

An app offers a task through volunteers.task_list; the task's own page stays the app's (`link`), so
that this app imports none of them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import AreaPath, Building
from lockdown.core.transitions import TransitionEvent


class Task(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Taken")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    # What the offering app calls it ("welfare_check", "parcel" …) and its own key for it: offering
    # the same thing twice finds the task already offered.
    kind = models.CharField(_("kind"), max_length=30)
    source_key = models.CharField(max_length=100, blank=True)
    title = models.CharField(_("task"), max_length=200)
    place = models.CharField(_("where"), max_length=200, blank=True)  # 12-3-501, the gate, …
    building = models.ForeignKey(Building, models.PROTECT, related_name="+", verbose_name=_("building"))
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    link = models.CharField(max_length=300, blank=True)  # the offering app's page of the task
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("taken by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    area_path = AreaPath(building="building")  # the building's volunteers and leaders see it

    class Meta:
        verbose_name = _("task")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_key"], condition=~Q(source_key=""), name="task_unique_source_key"
            )
        ]
        indexes = [models.Index(fields=["building", "state", "due_at"], name="task_building_state_due")]

    def __str__(self):
        return self.title


class TaskEvent(TransitionEvent):
    """Each move of a task (offered → taken → done, or given back, or cancelled): who, when, why."""

    subject_field = "task"
    task = models.ForeignKey(Task, models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("task's step")
