"""What staff type to set up a group, fill it, and cover and pair the buildings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from households.models import Building
from lockdown.core.inputs import CleanForm
from volunteers.choices import Skill
from volunteers.models import Volunteer

AGE_FIELD = {"min_value": 14, "max_value": 100, "required": False}


class GroupForm(CleanForm):
    name = forms.CharField(label=_("group"), max_length=50)
    min_age = forms.IntegerField(label=_("youngest"), **AGE_FIELD)
    max_age = forms.IntegerField(
        label=_("oldest"), help_text=_("Door-to-door work took volunteers under 50, say."), **AGE_FIELD
    )
    skills = forms.MultipleChoiceField(
        label=_("skills needed"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _named(volunteer):
    return _("%(name)s, %(age)s") % {"name": volunteer.name, "age": volunteer.age}


class VolunteerField(forms.ModelChoiceField):
    label_from_instance = staticmethod(_named)


class VolunteersField(forms.ModelMultipleChoiceField):
    label_from_instance = staticmethod(_named)


class MembersForm(CleanForm):
    volunteers = VolunteersField(
        label=_("add volunteers"), queryset=Volunteer.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = candidates


class CoverForm(CleanForm):
    """A volunteer who covers one more building."""

    volunteer = VolunteerField(label=_("volunteer"), queryset=Volunteer.objects.none())
    building = forms.ModelChoiceField(label=_("building"), queryset=Building.objects.none())

    def __init__(self, *args, volunteers, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["building"].queryset = buildings


class PairForm(CleanForm):
    """A building's leader and a volunteer who covers it, paired."""

    leader = forms.ModelChoiceField(label=_("building leader"), queryset=None)
    volunteer = VolunteerField(label=_("volunteer"), queryset=Volunteer.objects.none())

    def __init__(self, *args, leaders, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders
        self.fields["volunteer"].queryset = volunteers
