from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from lockdown.core.errors import ServiceError
from lockdown.core.inputs import BIRTH_DATE, NEAR_TODAY, CleanForm

from . import selectors
from .models import ControlLevel, Presence, Resident, Tag
from .residents import RESIDENT_FIELDS
from .services import ResidentInput, TagInput
from .versions import VersionedForm

# A date field takes its value as yyyy-mm-dd whatever the language: a browser leaves a date input
# empty on any other format (Chinese writes 1985/06/25), and the form would save the date away.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdForm(VersionedForm, CleanForm):
    """A plain form: the service, not the form, writes to the household. Edited, it carries the
    household's version (households.versions)."""

    code_fields = ("unit", "room")

    unit = forms.CharField(label=_("unit"), max_length=10, required=False)
    room = forms.CharField(label=_("room"), max_length=10)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# The resident's fields the edit form writes (services.ResidentInput): all but presence, which has
# its own form and service (PresenceForm, resident_set_presence) that a building leader may use
# where they may not edit the resident.
RESIDENT_FORM_FIELDS = tuple(name for name in RESIDENT_FIELDS if name != "presence")


# The history's names of a resident's tags (services._apply_tags) → the form's fields.
RESIDENT_HISTORY_FIELDS = {
    **{f"tag:{tag}": f"tag_{tag}" for tag in Tag.values},
    **{f"tag:{tag}:note": f"tag_{tag}_note" for tag in Tag.values},
    f"tag:{Tag.CHRONIC}:condition": "chronic_condition",
    f"tag:{Tag.CHRONIC}:medicine": "chronic_medicine",
    f"tag:{Tag.PREGNANT}:due_date": "pregnant_due_date",
}


class ResidentForm(VersionedForm, CleanForm):
    """The resident's fields plus one tick and note per key-population tag.

    A plain form, not a ModelForm: the service decides what changes, so the form must not write
    into the instance before it does. Edited, it carries the resident's version (households.versions).
    """

    history_fields = RESIDENT_HISTORY_FIELDS
    date_bounds = {"birth_date": BIRTH_DATE, "pregnant_due_date": NEAR_TODAY}

    def __init__(self, *args, instance=None, **kwargs):
        initial = model_to_dict(instance, RESIDENT_FORM_FIELDS) | {"version": instance.version} if instance else {}
        self.instance = instance
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(
            fields_for_model(
                Resident,
                RESIDENT_FORM_FIELDS,
                widgets={"birth_date": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 2})},
                help_texts={
                    "id_number": _("For a mainland ID card the birth date and sex are read from the number."),
                    "phone": _("11-digit mobile number."),
                },
            )
        )
        self.fields["phone"] = forms.CharField(
            label=_("mobile number"),
            required=False,
            max_length=20,
            help_text=_("11-digit mobile number."),
            widget=forms.TextInput(attrs={"inputmode": "tel"}),
        )
        current = {t.tag: t for t in instance.tags.all()} if instance else {}
        for tag, label in Tag.choices:
            existing = current.get(tag)
            self.fields[f"tag_{tag}"] = forms.BooleanField(label=label, required=False, initial=bool(existing))
            self.fields[f"tag_{tag}_note"] = forms.CharField(
                label=_("Note"), required=False, max_length=200, initial=existing.note if existing else ""
            )
        chronic, pregnant = current.get(Tag.CHRONIC), current.get(Tag.PREGNANT)
        self.fields["chronic_condition"] = forms.CharField(
            label=_("Condition"), required=False, max_length=100, initial=chronic.condition if chronic else ""
        )
        self.fields["chronic_medicine"] = forms.CharField(
            label=_("Regular medicine"), required=False, max_length=200, initial=chronic.medicine if chronic else ""
        )
        self.fields["pregnant_due_date"] = forms.DateField(
            label=_("Due date"), required=False, widget=DATE_WIDGET, initial=pregnant.due_date if pregnant else None
        )

    def rebound(self, data):
        return type(self)(data, instance=self.instance)

    def field_rows(self):
        return [self[name] for name in RESIDENT_FORM_FIELDS]

    def tag_rows(self):
        return [(self[f"tag_{tag}"], self[f"tag_{tag}_note"]) for tag in Tag.values]

    def to_input(self):
        data = self.cleaned_data
        tags = {}
        for tag in Tag.values:
            if data[f"tag_{tag}"]:
                extra = {}
                if tag == Tag.CHRONIC:
                    extra = {"condition": data["chronic_condition"], "medicine": data["chronic_medicine"]}
                if tag == Tag.PREGNANT:
                    extra = {"due_date": data["pregnant_due_date"]}
                tags[tag] = TagInput(note=data[f"tag_{tag}_note"], **extra)
        return ResidentInput(**{name: data[name] for name in RESIDENT_FORM_FIELDS}, tags=tags)


class RoomForm(CleanForm):
    """A room typed as on the door, found in the account's areas of one community. Where the
    community has that room in several compounds (or units), the form asks which with one button
    per household (its compound, room and residents): a tap on a phone rather than the compound's
    name typed again. The household found is `cleaned_data["target"]`.

    A subclass names the room field (`room_label`) and says what to tap after choosing (`choose`),
    and may find households otherwise (`find`: a gate takes its own compound's room first, and
    the name on a parcel too)."""

    code_fields = ("room",)
    room_label = _("Room")
    choose = _("%(room)s may be any of these %(count)s households: tap the one you mean, then save.")

    room = forms.CharField(
        max_length=30, help_text=_("Building-unit-room as on the door, for example 12-3-501 or 12-501.")
    )
    household = forms.CharField(label=_("Which household"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, scope, community_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope, self.community_id, self.matches = scope, community_id, None
        self.fields["room"].label = self.room_label

    @property
    def asks_compound(self):
        return bool(self.fields["household"].widget.choices)

    def find(self, text):
        """The households the text typed may mean (selectors.RoomMatches)."""
        return selectors.households_by_label(self.scope, self.community_id, text)

    def clean(self):
        data = super().clean()
        if "room" not in data:
            return data
        # Looked up on the room as cleaned (code_fields: no invisible characters, half-width digits).
        try:
            self.matches = self.find(data["room"])
        except ServiceError as error:
            self.add_error("room", error.message)
            return data
        households = self.matches.households
        if self.matches.certain:
            data["target"] = households[0]
            return data
        selectors.name_residents(households)
        self.fields["household"].widget.choices = [(str(h.pk), _choice(h)) for h in households]
        # A choice made for the room typed before is no choice for this one: the form asks again.
        chosen = [h for h in households if str(h.pk) == data.get("household")]
        if chosen:
            data["target"] = chosen[0]
            return data
        self.data = self.data.copy()
        self.data["household"] = ""
        self.add_error("household", self.choose % {"room": data["room"], "count": len(households)})
        return data


class MoveForm(RoomForm):
    room_label = _("Move to room")
    choose = _("%(room)s may be any of these %(count)s households: tap the one you mean, then Move.")


def _choice(household):
    """A household as its button names it: compound, room, and who lives there."""
    label = f"{household.building.compound.name} {household.label}"
    names = household.residents_named
    if names:
        label += " · " + "、".join(names[:3]) + ("…" if len(names) > 3 else "")
    return label


class PresenceForm(CleanForm):
    presence = forms.ChoiceField(label=_("Presence"), choices=Presence.choices)


class ControlLevelForm(CleanForm):
    level = forms.ChoiceField(
        label=_("Control level"), choices=[("", _("Not set")), *ControlLevel.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
