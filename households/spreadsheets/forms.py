"""The forms of an import (upload, columns, words and duplicates) and of an export."""

import hashlib
from collections import defaultdict

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from households.models import Building, Community, Compound
from households.vocabulary import FIELDS
from households.words import WORD_CHOICES
from lockdown.core.inputs import CleanForm

from .tables import FORMATS, KINDS


class ImportUploadForm(CleanForm):
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.none(), empty_label=None)
    compound = forms.ModelChoiceField(
        label=_("compound"),
        queryset=Compound.objects.none(),
        required=False,
        empty_label=_("A new compound"),
        help_text=_("Rows whose file names no compound (小区) go here."),
    )
    compound_name = forms.CharField(
        label=_("new compound's name"),
        max_length=50,
        required=False,
        help_text=_("Empty: the name the file's title gives (金杨新村住户信息表); the preview shows it."),
    )
    file = forms.FileField(
        label=_("spreadsheet"),
        help_text=_(".xlsx, .xls or .csv; one sheet per building or one sheet for all. Empty cells change nothing."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["compound"].queryset = Compound.objects.filter(community__in=communities).select_related(
            "community"
        )
        self.fields["compound"].label_from_instance = lambda compound: f"{compound.community} · {compound}"


class ImportColumnsForm(CleanForm):
    """One choice per column of the file: which field of the register it feeds, or none."""

    def __init__(self, *args, headers, columns, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not imported"))] + [(name, label) for name, (label, _aliases) in FIELDS.items()]
        self.keys = {}
        for index, (key, written) in enumerate(headers.items()):
            name = f"column_{index}"
            self.keys[name] = key
            self.fields[name] = forms.ChoiceField(
                label=written, choices=choices, required=False, initial=columns.get(key, "")
            )

    def columns(self):
        return {self.keys[name]: value for name, value in self.cleaned_data.items()}


class ImportChoicesForm(CleanForm):
    """The admin's choices on an import's preview: what each word means (those still not understood,
    and those explained before, to change), which row to keep of the same person twice, and whether
    rows whose ID number a spreadsheet rounded go in without it."""

    compound = forms.ModelChoiceField(
        label=_("Rows that name no compound go into"),
        queryset=Compound.objects.none(),
        required=False,
        empty_label=_("A new compound"),
    )
    compound_name = forms.CharField(label=_("new compound's name"), max_length=50, required=False)
    without_rounded_ids = forms.BooleanField(required=False)

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        findings = job.findings or {}
        compounds = Compound.objects.filter(community=job.community_id)
        self.fields["compound"].queryset = compounds
        # Where the preview put the rows: a compound of the register is selected, a new one is named.
        going_to = (job.new_areas or {}).get("compound", "")
        existing = job.compound_id or next((c.pk for c in compounds if c.name == going_to), None)
        self.fields["compound"].initial = existing
        self.fields["compound_name"].initial = "" if existing else (job.compound_name or going_to)
        # The same person twice: those held back, then those where the admin kept a row (to change).
        self.found_duplicates = findings.get("duplicates", []) + findings.get("resolved", [])
        self.words, self.duplicates = {}, {}
        # The words still not understood, then those this file has that the admin explained before.
        listed = findings.get("unknown", []) + findings.get("explained", [])
        # Fields are named after what they decide, not their place in the list: a page read before
        # the preview changed still posts each choice for its own word and duplicate.
        for word in listed:
            name, phrase, rows = word["field"], word["phrase"], word["rows"]
            key = "word_" + hashlib.sha256(f"{name}:{phrase}".encode()).hexdigest()[:12]
            self.words[key] = (name, phrase)
            label = f"{word.get('column') or FIELDS[name][0]} · {phrase} · "
            label += ngettext("%(num)s row", "%(num)s rows", rows) % {"num": rows}
            choices = [("", _("Not understood: keep it in the notes"))] + list(WORD_CHOICES[name].items())
            self.fields[key] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=job.words.get(name, {}).get(phrase, "")
            )
        for duplicate in self.found_duplicates:
            key = f"keep_{duplicate['key']}"
            self.duplicates[key] = duplicate["key"]
            rows = [
                (str(i), _("Keep row %(line)s of sheet %(sheet)s") % {"line": row["line"], "sheet": row["sheet"]})
                for i, row in enumerate(duplicate["rows"])
            ]
            self.fields[key] = forms.ChoiceField(
                label=_("Which row to keep"),
                choices=[("", _("Neither for now"))] + rows,
                required=False,
                widget=forms.RadioSelect,
                initial=str(job.keep.get(duplicate["key"], "")),
            )
        self.fields["without_rounded_ids"].initial = job.without_rounded_ids
        self.fields["without_rounded_ids"].label = ngettext(
            "Import the %(num)s row whose ID number the office suite rounded, without its ID number",
            "Import the %(num)s rows whose ID number the office suite rounded, without their ID numbers",
            findings.get("rounded_ids", 0),
        ) % {"num": findings.get("rounded_ids", 0)}

    def word_fields(self):
        return [self[key] for key in self.words]

    def duplicates_with_fields(self):
        """(duplicate as the preview found it, the choice of the row to keep)."""
        return [(duplicate, self[key]) for duplicate, key in zip(self.found_duplicates, self.duplicates, strict=True)]

    def choices(self):
        """The decisions posted; a word or duplicate the page did not show is left as it is."""
        words = defaultdict(dict)
        for key, (name, phrase) in self.words.items():
            if key in self.data:
                words[name][phrase] = self.cleaned_data[key]
        keep = {
            self.duplicates[key]: int(self.cleaned_data[key]) if self.cleaned_data[key] else None
            for key in self.duplicates
            if key in self.data
        }
        return {
            "words": dict(words),
            "keep": keep,
            "without_rounded_ids": self.cleaned_data["without_rounded_ids"],
            "compound": self.cleaned_data["compound"],
            "compound_name": self.cleaned_data["compound_name"],
        }


class ExportForm(CleanForm):
    kind = forms.ChoiceField(choices=[(name, kind.label) for name, kind in KINDS.items()])
    fmt = forms.ChoiceField(choices=[(fmt, fmt) for fmt in FORMATS])
    building = forms.ModelChoiceField(
        label=_("building"), queryset=Building.objects.none(), required=False, empty_label=_("All my areas")
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda building: f"{building.compound} {building}"
