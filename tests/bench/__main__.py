"""`python -m tests.bench [name ...]`: run every benchmark figure, or only the named ones."""

import importlib
import os
import sys

from . import FIGURES, database


def main(argv):
    unknown = sorted(set(argv) - set(FIGURES))
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(FIGURES)}", file=sys.stderr)
        return 2
    wanted = [name for name in FIGURES if not argv or name in argv]
    modules = list(dict.fromkeys(FIGURES[name] for name in wanted))

    # Django reads DATABASE_URL once, at setup: point it at the benchmark's own database first.
    url = database.bench_url()
    database.recreate(url)
    os.environ["DATABASE_URL"] = url
    if "sms" in modules:
        # The SMS figures need a real Celery worker, on Redis: the machine's, unless told otherwise.
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lockdown.settings")
    try:
        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        call_command("migrate", verbosity=0)
        try:
            for module in modules:
                names = [name for name in wanted if FIGURES[name] == module]
                importlib.import_module(f"{__package__}.{module}").run(names)
        finally:
            connections.close_all()
    finally:
        database.drop(url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
