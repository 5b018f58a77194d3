"""`manage.py messages`: refresh the Chinese catalogue from the Python code and the Jinja2 pages with
Babel (Django's makemessages reads only its own templates), then compile it.

`--check` writes nothing and fails while a string of the interface is missing from the catalogue,
untranslated, or not yet compiled into the .mo: the test suite runs it.
"""

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PATTERNS = {"python": "**.py", "jinja2": "**.html"}
# The folders with strings of the interface: the project's code and shared pages, and the pages each
# app keeps in its own jinja2/ folder.
_OURS = [
    app for app in apps.get_app_configs() if Path(app.path).is_relative_to(settings.BASE_DIR / app.name.split(".")[0])
]
SOURCES = {
    **{app.name: "python" for app in _OURS if "." not in app.name},
    "templates": "jinja2",
    **{
        str(Path(app.path, "jinja2").relative_to(settings.BASE_DIR)): "jinja2"
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR) and Path(app.path, "jinja2").is_dir()
    },
}
# Babel knows _, gettext, ngettext, pgettext …; Django adds the lazy ones and gettext_noop.
DJANGO_KEYWORDS = ["gettext_lazy", "ngettext_lazy:1,2", "pgettext_lazy:1c,2", "npgettext_lazy:1c,2,3", "gettext_noop"]
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(DJANGO_KEYWORDS)}
CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django"


class Command(BaseCommand):
    help = "Refresh and compile the Chinese catalogue; --check only reports what is missing."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="write nothing; fail if anything is missing")

    def handle(self, *args, check=False, **options):
        with open(CATALOGUE.with_suffix(".po"), "rb") as po_file:
            catalogue = read_po(po_file, locale="zh_Hans")
        catalogue.project, catalogue.version = "lockdown", "1"
        catalogue.update(interface_strings(), no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        untranslated = [message.id for message in catalogue if message.id and not _translated(message)]
        compiled = io.BytesIO()
        write_mo(compiled, catalogue)
        if check:
            self.fail_if_behind(untranslated, compiled.getvalue())
            return
        with open(CATALOGUE.with_suffix(".po"), "wb") as po_file:
            write_po(po_file, catalogue, width=76)
        CATALOGUE.with_suffix(".mo").write_bytes(compiled.getvalue())
        self.stdout.write(f"{len(catalogue) - len(untranslated)} of {len(catalogue)} strings translated")
        for message_id in untranslated:
            self.stdout.write(f"  to translate: {message_id!r}")

    def fail_if_behind(self, untranslated, compiled):
        problems = [f"untranslated: {message_id!r}" for message_id in untranslated]
        with open(CATALOGUE.with_suffix(".mo"), "rb") as mo_file:
            if translations(read_mo(mo_file)) != translations(read_mo(io.BytesIO(compiled))):
                problems.append("the .mo file is not compiled from the catalogue as it should be")
        if problems:
            raise CommandError("the catalogue is behind the code; run `make messages`:\n" + "\n".join(problems))


def translations(catalogue):
    return {(m.context, str(m.id)): m.string for m in catalogue if m.id}


def interface_strings():
    """Every string the Python code and the pages mark for translation, as a template catalogue."""
    template = Catalog(fuzzy=False)
    for folder, method in SOURCES.items():
        found = extract_from_dir(settings.BASE_DIR / folder, [(PATTERNS[method], method)], keywords=KEYWORDS)
        for filename, lineno, message, comments, context in found:
            template.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def _translated(message) -> bool:
    """A plural message (its string a tuple, one per form) is translated only when each form is."""
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)
