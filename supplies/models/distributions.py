"""Distributions (保供, 爱心菜): government or donated supplies, one share per household, carried
building by building; shares of households nobody was home for (in quarantine, in hospital, away)
kept for making up when they come home. Donations, goods or money, acknowledged publicly."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.models import AreaPath, Building, Community, Compound, Household
from lockdown.core.transitions import TransitionEvent


class Distribution(models.Model):
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="+", verbose_name=_("compound"))
    name = models.CharField(_("what is handed out"), max_length=100)  # 爱心菜, 大米
    share = models.CharField(_("one share"), max_length=50)  # 一袋, 5公斤
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("handed out from"), auto_now_add=True)

    area_path = AreaPath(community="community")

    class Meta:
        verbose_name = _("distribution")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Share(models.Model):
    class State(models.TextChoices):
        TO_DELIVER = "to_deliver", _("To deliver")
        DELIVERED = "delivered", _("Delivered")
        HELD = "held", _("Kept for making up")  # nobody was home when the shares were made

    distribution = models.ForeignKey(Distribution, models.CASCADE, related_name="shares")
    household = models.ForeignKey(Household, models.PROTECT, related_name="+", verbose_name=_("household"))
    building = models.ForeignKey(Building, models.PROTECT, related_name="+", editable=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.TO_DELIVER)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    made_up = models.BooleanField(_("made up later"), default=False)

    area_path = AreaPath(building="building")

    class Meta:
        verbose_name = _("share")
        ordering = ["building_id", "household_id"]
        constraints = [models.UniqueConstraint(fields=["distribution", "household"], name="share_one_per_household")]
        indexes = [models.Index(fields=["distribution", "building", "state"], name="share_distribution_building")]


class ShareEvent(TransitionEvent):
    subject_field = "share"
    share = models.ForeignKey(Share, models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("share's step")


class Donation(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", pgettext_lazy("donation", "Goods")
        MONEY = "money", _("Money")

    community = models.ForeignKey(Community, models.PROTECT, related_name="+", verbose_name=_("community"))
    donor = models.CharField(_("from"), max_length=100)  # a company, a care home, 12号楼全体居民
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    goods = models.CharField(_("what"), max_length=200, blank=True)  # 水果500份
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    received_on = models.DateField(_("received on"))
    distribution = models.ForeignKey(
        Distribution, models.SET_NULL, null=True, blank=True, related_name="donations", verbose_name=_("for")
    )
    purpose = models.CharField(_("for what"), max_length=200, blank=True)  # 防护服垫款
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    area_path = AreaPath(community="community")

    class Meta:
        verbose_name = _("donation")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="money", amount__gt=0) | Q(kind="goods", amount=None) & ~Q(goods=""),
                name="donation_money_or_goods",
            )
        ]

    @property
    def towards(self) -> str:
        """What it was given for: the distribution's name, the purpose written, or both."""
        named = self.distribution.name if self.distribution_id else ""
        return "、".join(part for part in (named, self.purpose) if part)
