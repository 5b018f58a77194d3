"""What people type at the gate, on a wave's page and on a run."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.forms import RoomForm
from households.models import Building
from households.selectors import RoomMatches, households_by_resident, parse_room
from lockdown.core.errors import ServiceError
from lockdown.core.inputs import CleanForm

from .deliveries import REASON_MAX
from .models import BuildingDelivery, Destination, Distribution, Donation, GroupBuyDocument, Parcel
from .waves import NAME_MAX


class IntakeForm(RoomForm):
    """One parcel at the gate: its room (typed, or scanned by a reader that types), what it is."""

    room_label = _("Room, or the name on the parcel")
    choose = _("%(room)s may be any of these %(count)s households: tap the one on the parcel, then Record.")

    medicine = forms.BooleanField(label=_("Medicine"), required=False)
    cold_chain = forms.BooleanField(label=_("Cold chain"), required=False)
    fragile = forms.BooleanField(label=_("Fragile"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=Parcel._meta.get_field("note").max_length,
        help_text=_("Courier and last digits, or “eggs repacked”."),
    )
    photo = forms.FileField(label=_("Photo"), required=False)

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, community_id=compound.community_id, **kwargs)
        self.compound = compound
        self.fields["room"].widget.attrs.update(autofocus=True, autocomplete="off", enterkeyhint="done")
        self.fields["room"].help_text = _(
            "As on the door, 12-3-501 or 12-501; or the name, or the phone's last 4 digits, on the parcel."
        )
        self.fields["photo"].widget.attrs.update(accept="image/*", capture="environment")

    def find(self, text):
        """A room as on the door, this compound's where it has it; or, where the parcel shows no
        room, the name or the phone's last digits on it, among this compound's residents (asked)."""
        if not parse_room(text):
            return households_by_resident(self.scope, self.compound.pk, text)
        matches = super().find(text)
        here = [h for h in matches.households if h.building.compound_id == self.compound.pk]
        if here and not matches.certain:  # a parcel at this gate is for this compound, where it has the room
            return RoomMatches(here, certain=len(here) == 1)
        return matches


class HoldForm(CleanForm):
    hold_minutes = forms.IntegerField(label=_("Hold after disinfection (minutes)"), min_value=0, max_value=24 * 60)


class WaveForm(CleanForm):
    name = forms.CharField(label=_("Wave"), max_length=NAME_MAX, help_text=_("Such as 上午 or 下午."))
    starts_at = forms.DateTimeField(
        label=_("Goes out at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


class ReturnForm(CleanForm):
    REASONS = [
        _("Nobody answered the door"),
        _("Wrong room on the parcel"),
        _("The resident refused it"),
        _("Damaged"),
    ]
    reason = forms.CharField(label=_("Why it goes back"), max_length=REASON_MAX)


class BuildingDeliveryForm(CleanForm):
    """One building's line of the route page: door or shelf, where the shelf is, its place on the route."""

    destination = forms.ChoiceField(
        label=_("Parcels go"), choices=[("", _("As its control level says")), *Destination.choices], required=False
    )
    shelf_place = forms.CharField(
        label=_("Where the shelf is"),
        max_length=BuildingDelivery._meta.get_field("shelf_place").max_length,
        required=False,
    )
    route_position = forms.IntegerField(label=_("Place on the route"), min_value=1, max_value=999, required=False)


class GroupBuyForm(CleanForm):
    """A group buy as its leader files it, for buildings of one compound."""

    goods = forms.CharField(label=_("Goods"), max_length=100, help_text=_("Such as 蔬菜套餐 or 鲜牛奶."))
    cold_chain = forms.BooleanField(
        label=_("Cold-chain goods (milk, meat, frozen food): they go first"), required=False
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=100)
    leader_name = forms.CharField(label=_("Group leader"), max_length=50, help_text=_("Who answers for it (团长)."))
    leader_phone = forms.CharField(label=_("Group leader's mobile"), max_length=20)
    expected_at = forms.DateTimeField(
        label=_("Expected at the gate"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("Buildings served"), queryset=Building.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = buildings


class DocumentForm(CleanForm):
    kind = forms.ChoiceField(label=_("Document"), choices=GroupBuyDocument.Kind.choices)
    person = forms.CharField(
        label=_("Whose"), max_length=50, required=False, help_text=_("The driver's or loader's name, for a test.")
    )
    dated_at = forms.DateTimeField(
        label=_("Dated"),
        help_text=_("For a test, when the sample was taken."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    file = forms.FileField(label=_("Photo or PDF"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(accept="image/*,application/pdf")


class RejectForm(CleanForm):
    reason = forms.CharField(label=_("Why it is rejected"), max_length=200)


class OrderForm(RoomForm):
    room_label = _("Room")
    choose = _("%(room)s may be any of these %(count)s households: tap the one you mean, then Save.")

    def __init__(self, *args, building_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.building_ids = set(building_ids)

    def find(self, text):
        """The room among the buildings the group buy serves: the community's other compounds'
        rooms of that number are no order of it."""
        matches = super().find(text)
        served = [h for h in matches.households if h.building_id in self.building_ids]
        if not served:
            raise ServiceError(_("%(room)s is not a room of the buildings this group buy serves.") % {"room": text})
        return RoomMatches(served, certain=len(served) == 1)

    items = forms.CharField(label=_("Item"), max_length=100)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=0, max_value=999, help_text=_("0 takes the order back.")
    )


class OrdersImportForm(CleanForm):
    # Not "file": the document form on the same page has one.
    export = forms.FileField(label=_("The platform's export (.xlsx or .csv)"))


class DistributionForm(CleanForm):
    name = forms.CharField(label=_("What is handed out"), max_length=100, help_text=_("Such as 爱心菜 or 大米."))
    share = forms.CharField(label=_("One share"), max_length=50, help_text=_("Such as 一袋 or 5公斤."))


class DonationForm(CleanForm):
    donor = forms.CharField(label=pgettext_lazy("donation", "From"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Donation.Kind.choices, widget=forms.RadioSelect)
    goods = forms.CharField(
        label=pgettext_lazy("donation", "What"),
        max_length=200,
        required=False,
        help_text=_("For goods: such as 水果500份."),
    )
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20, required=False, help_text=_("For money."))
    received_on = forms.DateField(  # a date input takes its value as 2026-12-03 only, whatever the language
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    distribution = forms.ModelChoiceField(
        label=_("For the distribution"),
        queryset=Distribution.objects.none(),
        required=False,
        empty_label=_("None in particular"),
    )
    purpose = forms.CharField(label=_("Or for what"), max_length=200, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distribution"].queryset = Distribution.objects.filter(community=community)
