"""An edit never silently undoes a colleague's.

Each resident and household row carries a version, one more at each write, and each history entry
the version it made. An edit form carries the version it read; the service locks the row and, if a
later version changed what the form holds, refuses with those changes (StaleEdit). The view then
shows the form again on the fresh values, with the person's own entries listed to redo
(VersionedForm.redo). A later version that only marked presence or moved the resident changes
nothing the form holds: the edit goes through, and writes only the form's fields.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lockdown.core.errors import ServiceError

from .models import Change

# What the history names that no edit form holds: a presence mark, a move.
NOT_IN_FORMS = frozenset({"presence", "household"})
MAX_VERSION = 2_147_483_647  # the column's range: a larger number posted is a form error, not a 500


class StaleEdit(ServiceError):
    """A form read at an older version than the row's, some of whose fields changed since.

    `changes`: the history entries since, each with `lines` (field, before, after) in words;
    `names`: the history's names of what they changed (notes, tag:alone, tag:chronic:note...);
    `read`: {name: the value when the form was read, as the history wrote it (masked numbers)}."""

    def __init__(self, changes, names, read=None):
        super().__init__(_("Someone else saved this since you opened the form. Nothing of yours was saved yet."))
        self.changes, self.names, self.read = changes, names, read or {}


def refuse_if_stale(*, current_version, read_version, history):
    """Raise StaleEdit if the row (locked by the caller) moved past `read_version` in a way the
    form's fields feel; `history`: the row's Change rows. No version read (None): a script or an
    import, which check otherwise."""
    if read_version is None or read_version == current_version:
        return
    from .selectors import describe_change  # here: selectors imports the services that import this module

    since = list(history.filter(version__gt=read_version).select_related("actor").order_by("at", "id"))
    # A move is written twice, out of one household and into the other: the form lists it once.
    since = [change for change in since if change.action != Change.Action.MOVED_OUT]
    if since and not any(_touches_forms(change) for change in since):
        return
    names = {name for change in since for name in change.changes} - NOT_IN_FORMS
    read = {}
    for change in since:
        change.lines = [describe_change(name, *values) for name, values in change.changes.items()]
        for name, (before, _after) in change.changes.items():
            read.setdefault(name, before)
    raise StaleEdit(since, names, read)


def _touches_forms(change):
    """Whether a history entry may have changed what an edit form holds: anything but a presence
    mark or a move by hand. An import's entry does not name the tag details it changed, nor does an
    update that names nothing: they count as changing anything."""
    if change.import_job_id or (change.action == Change.Action.UPDATED and not change.changes):
        return True
    return bool(set(change.changes) - NOT_IN_FORMS)


class VersionedForm(forms.Form):
    """A form that carries the version of the row it was read from, in a hidden field."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=MAX_VERSION,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"),
            gettext_lazy("This form is incomplete: open it again from the household's page."),
        ),
    )
    conflict = None  # after a StaleEdit: what changed since, and the person's own entries

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" not in self.initial:  # a form that adds a row reads no version
            del self.fields["version"]

    # Name in the history → name of the form's field, where they differ (ResidentForm's tags).
    history_fields: dict = {}

    def field_for(self, name):
        name = self.history_fields.get(name, name)
        return name if name in self.fields and name != "version" else None

    def redo(self, fresh, stale):
        """This form again, on `fresh` (an unbound form of the same kind, read now): the fields
        that changed since take their fresh values, the others keep what the person entered, and
        `conflict` lists what changed and, where theirs differs from the fresh value, their entry."""
        data = self.data.copy()
        yours = []
        changed = {self.field_for(n): n for n in stale.names if self.field_for(n)}
        for name in sorted(changed, key=list(self.fields).index):
            entered, now = _posted(self, name), _posted_form(fresh, name)
            # Listed where the person entered something new: neither the fresh value nor the one read.
            if entered != now and not _same(entered, stale.read.get(changed[name])):
                yours.append((self.fields[name].label, _shown(self.fields[name], entered)))
            data.setlist(name, [now] if now else [])
        data["version"] = str(fresh["version"].value())
        again = fresh.rebound(data)
        again.conflict = {"changes": stale.changes, "yours": yours}
        return again

    def rebound(self, data):
        """This (unbound) form bound to `data`, read from the same row."""
        return type(self)(data, initial=self.initial)


def _posted(form, name):
    """What the person posted for the field `name`, as the form's data holds it."""
    value = form.data.get(form.add_prefix(name), "")
    if isinstance(form.fields[name], forms.BooleanField):
        return "on" if form.fields[name].widget.value_from_datadict(form.data, form.files, name) else ""
    return value.strip() if isinstance(value, str) else value


def _posted_form(fresh, name):
    """The value an unbound form's field `name` would post, as text ("" for none, "on" for a tick)."""
    value = fresh[name].value()
    if isinstance(fresh.fields[name], forms.BooleanField):
        return "on" if value else ""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _same(posted, written):
    """Whether a posted value is the one the history wrote (a tick as True/False, none as None or "")."""
    if isinstance(written, bool):
        return (posted == "on") == written
    return posted == ("" if written is None else str(written))


def _shown(field, value):
    """A posted value as the person reads it: a tick as yes/no, a choice by its label."""
    if isinstance(field, forms.BooleanField):
        return _("yes") if value else _("no")
    if value == "":
        return "—"
    choices = dict(getattr(field, "flatchoices", None) or getattr(field, "choices", None) or [])
    return str(choices.get(value, value))
