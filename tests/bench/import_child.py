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


def main(job_pk):
    import django

    django.setup()
    from households.imports import import_job_commit
    from households.models import ImportJob

    job = ImportJob.objects.select_related("community", "compound").get(pk=job_pk)
    baseline = peak_mb()
    started = time.perf_counter()
    import_job_commit(job)
    seconds = time.perf_counter() - started
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
            }
        )
    )


def export(user_pk):
    import tempfile

    import django

    django.setup()
    from households.exports import export_write
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
