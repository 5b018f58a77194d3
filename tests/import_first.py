"""Import each given module first, each in a fresh Django process: `python -m tests.import_first MODULE...`.

"First" means before any other module of the project (but the settings, which Django reads before
anything else): the module is imported as soon as Django may load models, before the first app's
models, and then django.setup() has to finish. A module that works only when the models have been
imported in Django's order (as households.models imported the campaign models that imported it
back) fails here. A module that sets Django up itself (lockdown.wsgi) is imported alone.

One process per module would take a second or two each. Instead, this process imports the
libraries that a full start imports (Django, DRF, Celery...; none of the project's modules), then
forks a child per module, one per CPU at a time, each starting Django from there. Prints one line per
module that failed, with the end of its traceback, and exits 1 if any did.
"""

import importlib
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

PROJECT = ("lockdown", "households")
# Imported by Django before any app (the settings) and so before every other module in any process.
BEFORE_EVERYTHING = {"lockdown", "lockdown.celery", "lockdown.settings"}
SETS_UP_DJANGO = {"lockdown.wsgi", "lockdown.asgi"}


def is_project(name):
    return name.split(".")[0] in PROJECT


def libraries_of_a_full_start(modules):
    """The modules, not the project's, that a process holds once Django is set up and `modules` imported."""
    probe = """
import importlib, sys, django
django.setup()
for module in sys.argv[1:]:
    try:
        importlib.import_module(module)
    except Exception:
        pass
print("\\n".join(sorted(sys.modules)))
"""
    modules = [m for m in modules if m not in SETS_UP_DJANGO]
    names = subprocess.run([sys.executable, "-c", probe, *modules], capture_output=True, text=True, check=True)
    return [name for name in names.stdout.split() if not is_project(name)]


def preload(names):
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: S112 - needs Django's apps: the child's setup imports it
            continue
    # DRF imports what its settings name (lockdown.api's filter backend) as it defines its generic
    # views: forgotten again here, so that each child imports them in its own turn.
    for name in sorted({name for name in sys.modules if is_project(name)} - BEFORE_EVERYTHING, reverse=True):
        del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            vars(sys.modules[parent]).pop(child, None)


def import_first(module):
    """In the child: `module` before any model, then the rest of Django's start."""
    if module in SETS_UP_DJANGO:
        importlib.import_module(module)
        return
    import django
    from django.apps.config import AppConfig

    import_models = AppConfig.import_models

    def module_first(self):
        AppConfig.import_models = import_models
        importlib.import_module(module)
        import_models(self)

    AppConfig.import_models = module_first
    django.setup()


def run_child(module, report):
    code = 0
    try:
        import_first(module)
    except BaseException:
        Path(report).write_text(traceback.format_exc())
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(modules):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lockdown.settings")
    preload(libraries_of_a_full_start(modules))
    failed = {}
    running = {}
    with tempfile.TemporaryDirectory() as reports:
        pending = list(modules)
        while pending or running:
            while pending and len(running) < (os.cpu_count() or 2):
                module = pending.pop(0)
                report = os.path.join(reports, module)
                pid = os.fork()
                if pid == 0:
                    run_child(module, report)
                running[pid] = (module, report)
            pid, status = os.wait()
            module, report = running.pop(pid)
            if status:
                failed[module] = Path(report).read_text() if os.path.exists(report) else f"exit status {status}"
    for module, text in failed.items():
        print(f"{module}: {' | '.join(text.strip().splitlines()[-3:])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
