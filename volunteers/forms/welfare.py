"""What a volunteer taps to record a welfare check, and the day staff look at."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lockdown.core.inputs import NEAR_TODAY, CleanForm
from volunteers.models import WelfareCheck
from volunteers.welfare import NOTE_MAX


class WelfareRecordForm(CleanForm):
    outcome = forms.ChoiceField(label=_("what you found"), choices=WelfareCheck.Outcome.choices)
    note = forms.CharField(
        label=_("note for the staff"),
        max_length=NOTE_MAX,
        required=False,
        help_text=_("Needed with “needs something”: what, and how soon."),
    )


class DayForm(CleanForm):
    date_bounds = {"date": NEAR_TODAY}
    date = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
