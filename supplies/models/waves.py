"""Waves: a compound's parcels go out together at set times (morning, afternoon), each building's
share a task for the volunteers who cover it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.models import AreaPath, Community, Compound
from lockdown.core.transitions import TransitionEvent


class Wave(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Being sorted")
        OUT = "out", _("Out for delivery")
        DONE = "done", _("Done")

    compound = models.ForeignKey(Compound, models.PROTECT, related_name="+", verbose_name=_("compound"))
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    name = models.CharField(pgettext_lazy("wave", "name"), max_length=30)  # 上午, 下午
    starts_at = models.DateTimeField(_("goes out at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    area_path = AreaPath(community="community")  # a compound's own work: its committee plans it

    class Meta:
        verbose_name = _("delivery wave")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["compound", "starts_at"], name="wave_compound_starts")]

    def __str__(self):
        return f"{self.name} {timezone.localtime(self.starts_at):%m-%d %H:%M}"


class WaveEvent(TransitionEvent):
    subject_field = "wave"
    wave = models.ForeignKey(Wave, models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("wave's step")
