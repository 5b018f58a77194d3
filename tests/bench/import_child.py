"""A fresh process for one measured step, printing its time and peak memory as JSON (for
tests/bench/imports.py):

    python -m tests.bench.import_child <job pk>           the confirmed import
    python -m tests.bench.import_child export <user pk>   the household table of the user's areas, .xlsx
"""

import json
import sys
import time
from pathlib import Path


def peak_mb():
    """The process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return None


def timed(phases, name, function):
    """`function`, adding the seconds of each call to phases[name]."""

    def run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0) + time.perf_counter() - started

    return run


def main(job_pk):
    import django

    django.setup()
    from households.models import ImportJob
    from households.spreadsheets import imports, reader

    # Where the time goes: reading and normalising, comparing, writing; the rest is mostly the
    # transaction's commit, where PostgreSQL checks the deferred foreign keys.
    phases = {}
    reader.read_register = timed(phases, "read_s", reader.read_register)
    imports.plan_import = timed(phases, "compare_s", imports.plan_import)
    imports.write_plan = timed(phases, "write_s", imports.write_plan)
    job = ImportJob.objects.select_related("community", "compound").get(pk=job_pk)
    baseline = peak_mb()
    started = time.perf_counter()
    imports.import_job_commit(job)
    seconds = time.perf_counter() - started
    phases["rest_s"] = seconds - sum(phases.values())
    job.refresh_from_db()
    peak = peak_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "baseline_mb": baseline,
                "status": job.status,
                "unchanged": job.unchanged,
                "phases": {name: round(value, 2) for name, value in phases.items()},
            }
        )
    )


def export(user_pk):
    import tempfile

    import django

    django.setup()
    from households.spreadsheets.tables import export_write
    from lockdown.models import User

    user = User.objects.get(pk=user_pk)
    baseline = peak_mb()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        rows = export_write(actor=user, kind="households", fmt="xlsx", target=target)
        size = target.tell()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": baseline, "rows": rows, "bytes": size}))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(int(sys.argv[2]))
    else:
        main(int(sys.argv[1]))
