"""What staff type to start a campaign, and what a leader taps to record an outcome."""

import itertools

from django import forms
from django.utils.translation import gettext_lazy as _

from households.models import Building, Community, Compound, Presence, Recipient, SmsTemplate, Tag
from lockdown.core.inputs import WITHIN_A_YEAR_AHEAD, CleanForm

from .services import CampaignInput

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ByCompound(forms.models.ModelChoiceIterator):
    """Buildings under their compound's name: a heading and its buildings' boxes, not the compound's
    name again on every box. (The queryset is ordered by compound.)"""

    def __iter__(self):
        for compound, buildings in itertools.groupby(self.queryset, key=lambda building: building.compound):
            yield str(compound), [self.choice(building) for building in buildings]


class BuildingsField(forms.ModelMultipleChoiceField):
    iterator = ByCompound


class CampaignForm(CleanForm):
    date_bounds = {"deadline": WITHIN_A_YEAR_AHEAD}
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.none())
    title = forms.CharField(label=_("title"), max_length=100, initial=_("Recall of residents away"))
    template = forms.ModelChoiceField(label=_("SMS template"), queryset=SmsTemplate.objects.filter(active=True))
    deadline = forms.DateTimeField(label=_("come back by"), widget=DATETIME_WIDGET)
    contact_phone = forms.CharField(label=_("committee's phone"), max_length=20)
    presence = forms.ChoiceField(label=_("residents who are"), choices=Presence.choices, initial=Presence.AWAY)
    # Boxes to tick, with a finger or a mouse, rather than lists that need Ctrl and a click.
    compounds = forms.ModelMultipleChoiceField(
        label=_("compounds"),
        queryset=Compound.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all."),
    )
    buildings = BuildingsField(
        label=_("buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all."),
    )
    tags = forms.MultipleChoiceField(
        label=_("key population"),
        choices=Tag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: everyone."),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]
            self.fields["contact_phone"].initial = communities[0].phone
        templates = list(self.fields["template"].queryset[:2])
        if len(templates) == 1:  # the only one there is: chosen already
            self.fields["template"].initial = templates[0]
        self.fields["compounds"].queryset = Compound.objects.filter(community__in=communities).order_by("name")
        buildings = Building.objects.filter(community__in=communities).select_related("compound")
        self.fields["buildings"].queryset = buildings.order_by("compound__name", "compound_id", "sort_key", "number")

    def to_input(self) -> CampaignInput:
        data = self.cleaned_data
        return CampaignInput(
            title=data["title"],
            template=data["template"],
            deadline=data["deadline"],
            contact_phone=data["contact_phone"],
            presence=data["presence"],
            compound_ids=tuple(c.pk for c in data["compounds"]),
            building_ids=tuple(b.pk for b in data["buildings"]),
            tags=tuple(data["tags"]),
        )


class OutcomeForm(CleanForm):
    date_bounds = {"expected_at": WITHIN_A_YEAR_AHEAD}
    outcome = forms.ChoiceField(label=_("outcome"), choices=Recipient.Outcome.choices)
    expected_at = forms.DateTimeField(label=_("expected back"), required=False, widget=DATETIME_WIDGET)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    # The outcome the page showed when the person chose: recording is refused if another was
    # recorded since, rather than silently replacing it.
    seen = forms.ChoiceField(
        label=_("outcome shown"),
        choices=[("", "—"), *Recipient.Outcome.choices],
        required=False,
        widget=forms.HiddenInput,
    )

    def clean_seen(self):
        """None when the form did not send it (a script's post): the service then takes the outcome
        the recipient's row holds."""
        return self.cleaned_data["seen"] if "seen" in self.data else None
