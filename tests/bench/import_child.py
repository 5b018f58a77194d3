"""`python -m tests.bench.import_child <job pk>`: run one confirmed import in a fresh process and print
its time and the process's peak memory as JSON (for tests/bench/imports.py)."""

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


if __name__ == "__main__":
    main(int(sys.argv[1]))
