"""The spreadsheet reader touches no database: it imports no module of the project that holds models
or queries them, nor a database engine; and the register's lower modules do not import the
spreadsheets or campaigns apps. (Django's TextChoices, for the choices the reader understands, come
from the django.db.models package: a library, not a query.)"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# What reads or writes the register; and the engines a connection would load.
ORM_MODULES = ("households.models", "households.services", "households.selectors", "households.scoping")
ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")


def touches_the_database(loaded):
    ours = {m for m in loaded if m.startswith(("households", "lockdown"))}
    return {m for m in loaded if m.startswith(ORM_MODULES + ENGINES)} | {m for m in ours if ".models" in m}


def modules_loaded_by(module):
    """The modules a fresh interpreter holds after importing `module`, with settings but no django.setup()."""
    code = f"import sys, json; import {module}; print(json.dumps(sorted(sys.modules)))"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="lockdown.settings", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_reader_imports_nothing_that_touches_the_database():
    loaded = modules_loaded_by("households.spreadsheets.reader")

    assert "households.spreadsheets.reader" in loaded
    assert not touches_the_database(loaded), sorted(touches_the_database(loaded))


def test_the_resident_rules_and_choices_import_nothing_that_touches_the_database():
    loaded = modules_loaded_by("households.residents, households.choices")

    assert not touches_the_database(loaded), sorted(touches_the_database(loaded))


def imported_modules(path):
    """Every module an `import` or `from … import` of the file names, relative imports resolved."""
    package = "households"
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_the_registers_selectors_forms_and_services_import_neither_spreadsheets_nor_campaigns():
    for name in ("selectors", "forms", "services"):
        imported = imported_modules(ROOT / "households" / f"{name}.py")
        above = {m for m in imported if m.startswith(("households.spreadsheets", "households.campaigns"))}
        assert not above, (name, sorted(above))
