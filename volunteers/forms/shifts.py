"""What staff type to keep shift templates, stamp and run a roster, move a volunteer, and read hours."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lockdown.core.inputs import NEAR_TODAY, CleanForm
from volunteers.attendance import MARKS
from volunteers.models import Group, Shift


class ShiftTemplateForm(CleanForm):
    group = forms.ModelChoiceField(label=_("group"), queryset=Group.objects.none())
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None)
    name = forms.CharField(label=_("shift"), max_length=50, help_text=_("Morning parcels, say."))
    starts = forms.TimeField(
        label=pgettext_lazy("shift time", "from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=pgettext_lazy("shift time", "until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("An end before the start is the next morning."),
    )
    places = forms.IntegerField(label=_("places"), min_value=1, max_value=500)
    meeting_point = forms.CharField(label=_("meeting point"), max_length=100, required=False)
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(community=community)
        self.fields["compound"].queryset = community.compounds.all()


class CutOffForm(CleanForm):
    closes_at = forms.TimeField(
        label=_("sign-up closes at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("On the evening before each roster's day."),
    )


class DateForm(CleanForm):
    """The day of a roster, a check-in or a stamp; tomorrow unless `default` says otherwise."""

    date = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_bounds = {"date": NEAR_TODAY}

    def day(self, default: datetime.date) -> datetime.date | None:
        """The date asked for, `default` when none was; None when it is not a date the form takes."""
        if not self.is_valid():
            return None
        return self.cleaned_data["date"] or default


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


class ShiftChoice(forms.ModelChoiceField):
    def label_from_instance(self, shift):
        return f"{shift.group.name} · {shift.name} {timezone.localtime(shift.starts_at):%H:%M}"


class MoveForm(CleanForm):
    shift = ShiftChoice(label=_("move to"), queryset=Shift.objects.none())
    over_places = forms.BooleanField(label=_("over its places"), required=False)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = roster.shifts.select_related("group")


class NotifyForm(CleanForm):
    send = forms.IntegerField(min_value=1, max_value=1000)


class MarkForm(CleanForm):
    mark = forms.ChoiceField(choices=[(mark, mark) for mark in MARKS])


class HoursForm(CleanForm):
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_bounds = {"date_from": NEAR_TODAY, "date_to": NEAR_TODAY}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - datetime.timedelta(days=6)
        if data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The last day is before the first."))
        elif (data["date_to"] - data["date_from"]).days > 62:
            self.add_error("date_to", _("Choose at most two months at a time."))
        return data
