"""Group buys (团购): filed with the committee before launch (先备案后发团) by a named leader who
answers for it (团长负责制), with the supplier's guarantee, the transport pass and the drivers' and
loaders' negative tests; approved or rejected by staff; the households' orders; the goods on
arrival become parcels at the gate."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.models import AreaPath, Building, Community, Compound, Household
from lockdown.core.transitions import TransitionEvent


class GroupBuy(models.Model):
    class State(models.TextChoices):
        FILED = "filed", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", pgettext_lazy("group buy", "Rejected")
        ARRIVED = "arrived", _("Arrived at the gate")

    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="+", verbose_name=_("compound"))
    goods = models.CharField(_("goods"), max_length=100)  # 蔬菜套餐, 鲜奶
    cold_chain = models.BooleanField(_("cold chain"), default=False)  # its parcels go first, as a cold-chain parcel
    supplier = models.CharField(_("supplier"), max_length=100)
    leader_name = models.CharField(_("group leader"), max_length=50)
    leader_phone = models.CharField(_("group leader's mobile"), max_length=11)
    expected_at = models.DateTimeField(_("expected at the gate"))
    buildings = models.ManyToManyField(Building, related_name="+", verbose_name=_("buildings served"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.FILED)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("filed by"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    reject_reason = models.CharField(_("why it was rejected"), max_length=200, blank=True)

    area_path = AreaPath(community="community")  # the committee's record; its leader sees their own

    class Meta:
        verbose_name = _("group buy")
        ordering = ["-expected_at", "-id"]
        indexes = [models.Index(fields=["community", "state", "expected_at"], name="group_buy_community_state")]

    def __str__(self):
        return f"{self.goods} · {self.supplier}"


class GroupBuyEvent(TransitionEvent):
    subject_field = "group_buy"
    group_buy = models.ForeignKey(GroupBuy, models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("group buy's step")


class GroupBuyDocument(models.Model):
    class Kind(models.TextChoices):
        GUARANTEE = "guarantee", _("Supplier's guarantee certificate")
        TRANSPORT_PASS = "transport_pass", _("Transport pass")
        DRIVER_TEST = "driver_test", _("Driver's negative test")
        LOADER_TEST = "loader_test", _("Loader's negative test")

    group_buy = models.ForeignKey(GroupBuy, models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    person = models.CharField(_("whose"), max_length=50, blank=True)  # a test's driver or loader
    dated_at = models.DateTimeField(_("dated"))  # a test's sampling time; a pass's or certificate's issue
    file = models.FileField(_("file"), upload_to="group_buys/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group buy's document")
        ordering = ["kind", "dated_at", "id"]


class GroupBuyOrder(models.Model):
    """One household's order of one item: entered by the leader or the building's administrator, or
    imported from the platform's export (the same household and item again replaces its quantity)."""

    group_buy = models.ForeignKey(GroupBuy, models.CASCADE, related_name="orders")
    household = models.ForeignKey(Household, models.PROTECT, related_name="+", verbose_name=_("household"))
    building = models.ForeignKey(Building, models.PROTECT, related_name="+", editable=False)
    items = models.CharField(_("item"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    area_path = AreaPath(building="building")

    class Meta:
        verbose_name = _("group buy order")
        ordering = ["building_id", "household_id", "items"]
        constraints = [
            models.UniqueConstraint(fields=["group_buy", "household", "items"], name="group_buy_order_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="group_buy_order_quantity"),
        ]
