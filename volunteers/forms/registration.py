"""What a person types to register as a volunteer or to log in with a code, and what staff tick to
approve or decline."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from households.models import Building, compound_shown
from households.residents import building_label
from lockdown.core.identity import normalise_mobile, to_halfwidth
from lockdown.core.inputs import CleanForm

from ..choices import DayPart, Skill, Source
from ..models import Volunteer
from ..registration import Registration

YOUNGEST, OLDEST = 14, 100  # as the table's constraint volunteer_age_range
MOBILE_WIDGET = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})
BAD_MOBILE = _("Enter an 11-digit mainland mobile number, like 139 1234 5678.")
NOT_LISTED = _("Choose from the list: %(value)s is not one of the choices.")
CODE = re.compile(r"^\d{6}$")


def _mobile(value):
    try:
        return normalise_mobile(value)
    except ValueError:
        raise ValidationError(BAD_MOBILE) from None


class RegistrationForm(CleanForm):
    code_fields = ("room",)
    name = forms.CharField(label=_("name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    mobile = forms.CharField(label=_("mobile number"), max_length=30, widget=MOBILE_WIDGET)
    # A text box with the digits keypad: a number box drops what a Chinese keyboard types (３５) as empty.
    age = forms.IntegerField(label=_("age"), widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 3}))
    source = forms.ChoiceField(
        label=_("I come as"), choices=Source.choices, initial=Source.RESIDENT, widget=forms.RadioSelect
    )
    organisation = forms.CharField(
        label=_("office or party branch"),
        max_length=100,
        required=False,
        help_text=_("Party members and cadres: where you come from."),
    )
    building = forms.ModelChoiceField(
        label=_("my building"), queryset=Building.objects.none(), required=False, empty_label="—"
    )
    room = forms.CharField(
        label=_("my room"),
        max_length=20,
        required=False,
        help_text=_("As on the door: 3-501, or 501 where there are no units."),
    )
    skills = forms.MultipleChoiceField(
        label=_("I can offer"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_LISTED},
    )
    availability = forms.MultipleChoiceField(
        label=_("I am free"),
        choices=DayPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_LISTED},
    )

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(compound=compound).order_by("sort_key", "number")
        self.fields["building"].help_text = _("Residents of %(compound)s: your building.") % {"compound": compound}
        self.fields["source"].error_messages["invalid_choice"] = NOT_LISTED

    def clean_mobile(self):
        return _mobile(self.cleaned_data["mobile"])

    def clean_age(self):
        age = self.cleaned_data["age"]
        if not YOUNGEST <= age <= OLDEST:
            raise ValidationError(
                _("Volunteers are %(youngest)d to %(oldest)d years old: enter your age in years.")
                % {"youngest": YOUNGEST, "oldest": OLDEST}
            )
        return age

    def clean(self):
        data = super().clean()
        source, building, room = data.get("source"), data.get("building"), data.get("room")
        if building is None and "building" not in self.errors:
            if source == Source.RESIDENT:
                self.add_error("building", _("Residents choose their building."))
            elif room:
                self.add_error("building", _("Choose the building of this room."))
        if building is not None and not room and "room" not in self.errors:
            self.add_error("room", _("Enter your room."))
        if source in (Source.PARTY_MEMBER, Source.CADRE) and not data.get("organisation"):
            self.add_error("organisation", _("Enter your office or party branch."))
        return data

    def to_registration(self) -> Registration:
        data = self.cleaned_data
        return Registration(
            name=data["name"],
            mobile=data["mobile"],
            age=data["age"],
            source=data["source"],
            organisation=data["organisation"],
            skills=tuple(data["skills"]),
            availability=tuple(data["availability"]),
            building=data["building"],
            room=data["room"] if data["building"] else "",
        )


class BuildingsField(forms.ModelMultipleChoiceField):
    """Buildings as boxes to tick, each named with its compound where the community has several."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, building):
        return building_label(building.number, building.compound_shown)


def buildings_of(communities):
    queryset = Building.objects.filter(community__in=communities).select_related("compound")
    return queryset.annotate(compound_shown=compound_shown("compound")).order_by("compound__name", "sort_key", "number")


class ApproveForm(CleanForm):
    buildings = BuildingsField(
        label=_("covers the buildings"),
        queryset=Building.objects.none(),
        required=False,
        help_text=_("None ticked: their own building."),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = buildings_of(communities)


class DeclineForm(CleanForm):
    reason = forms.CharField(label=_("reason (optional)"), max_length=200, required=False)


class DecisionForm(ApproveForm, DeclineForm):
    """Many volunteers at once: the boxes ticked on the list, the button pressed, and the buildings
    or the reason."""

    APPROVE, DECLINE = "approve", "decline"
    volunteers = forms.ModelMultipleChoiceField(
        queryset=Volunteer.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Tick the volunteers first.")},
    )
    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (DECLINE, _("Decline"))])

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = volunteers
        self.fields["buildings"].help_text = _("For those who gave no building; the others cover their own.")


class PhoneForm(CleanForm):
    mobile = forms.CharField(label=_("mobile number"), max_length=30, widget=MOBILE_WIDGET)

    def clean_mobile(self):
        return _mobile(self.cleaned_data["mobile"])


class CodeForm(CleanForm):
    code = forms.CharField(
        label=_("code"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        code = to_halfwidth(self.cleaned_data["code"]).replace(" ", "")
        if not CODE.match(code):
            raise ValidationError(_("The code is the 6 digits of the text message."))
        return code
