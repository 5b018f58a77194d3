"""Importing a generated 100,000-resident workbook into one community, on PostgreSQL.

- `calamine_read` and `openpyxl_readonly_read`: the same file merely read, every cell of every row,
  by python-calamine and by openpyxl in read-only mode: the baselines.
- `import_100k`: the confirmed import end to end (read, normalise, validate, compare with the
  register, write in one transaction), timed in a fresh process that also reports its peak memory
  (`import_peak_mb`, the process's maximum resident set, Django included; `baseline_mb` is the
  same process before the import).
- `export_peak_mb`: the household table of those residents written as .xlsx, in a fresh process.
- `reimport_1pct`: the same file with every 100th resident's mobile number changed, imported over it.
- `import_export_default` and `import_export_tuned`: the same residents imported with
  django-import-export (tests/bench/import_export.py), last, as it empties the resident table.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from django.core.files import File
from django.test.utils import override_settings

from households.demo import SHEET_COLUMNS, StreetPlan, write_demo_workbook
from households.models import Community, ImportJob, Role, RoleAssignment, Street
from households.spreadsheets.imports import import_job_confirm, import_job_create, import_job_preview
from lockdown.core.spreadsheets import read_sheets
from lockdown.models import User

from . import measure

# 4 compounds × 25 buildings × 4 units × 23 floors × 4 rooms: 36,800 households, about 100,000 residents.
PLAN = StreetPlan(
    compounds_per_community=4,
    buildings_per_compound=25,
    units_per_building=4,
    floors=23,
    rooms_per_floor=4,
    residents_per_household=2.55,
)
READS = 3


def run(names):
    with tempfile.TemporaryDirectory(prefix="lockdown-bench-") as folder, override_settings(MEDIA_ROOT=folder):
        folder = Path(folder)
        measure.progress("writing the 100,000-resident workbook …")
        path = folder / "register.xlsx"
        residents = write_demo_workbook(path, plan=PLAN, community="基准第1居民区")
        columns = len(SHEET_COLUMNS)
        size = {"rows": residents, "columns": columns, "file_mb": round(path.stat().st_size / 2**20, 1)}
        measure.progress(f"{residents:,} residents × {columns} columns, {size['file_mb']} MB")

        calamine = statistics.median(_timed(lambda: _read_calamine(path)) for _ in range(READS))
        measure.progress(f"calamine read: {calamine:.2f} s")
        openpyxl_read = None
        if "import_100k_vs_openpyxl" in names:
            openpyxl_read = _timed(lambda: _read_openpyxl(path))
            measure.progress(f"openpyxl read-only read: {openpyxl_read:.2f} s")

        community, staff = _community()
        first = _import(path, community, staff, folder)
        measure.progress(f"import: {first['seconds']:.2f} s, peak {first['peak_mb']} MB")
        if "import_100k" in names:
            measure.emit(
                {"bench": "import_100k", "value": round(first["seconds"], 2), "unit": "s"}
                | {"ratio": round(first["seconds"] / calamine, 2), "ratio_to": "calamine_read", "goal": "ratio <= 3"}
                | size
                | {"calamine_read_s": round(calamine, 2), "preview_s": first["preview_s"], "created": first["created"]}
                | first["phases"]
            )
        if openpyxl_read is not None:
            measure.emit(
                {"bench": "import_100k_vs_openpyxl", "value": round(first["seconds"], 2), "unit": "s"}
                | {"ratio": round(first["seconds"] / openpyxl_read, 2), "ratio_to": "openpyxl_readonly_read"}
                | {"openpyxl_readonly_read_s": round(openpyxl_read, 2)}
            )
        if "import_peak_mb" in names:
            measure.emit(
                {"bench": "import_peak_mb", "value": first["peak_mb"], "unit": "MB", "goal": "< 300"}
                | {"baseline_mb": first["baseline_mb"], "rows": residents}
            )
        if "export_peak_mb" in names:
            exported = _child(["export", str(staff.pk)], folder)
            measure.progress(f"export: {exported['seconds']:.2f} s, peak {exported['peak_mb']} MB")
            measure.emit(
                {"bench": "export_peak_mb", "value": exported["peak_mb"], "unit": "MB", "goal": "< 300"}
                | {
                    "baseline_mb": exported["baseline_mb"],
                    "rows": exported["rows"],
                    "seconds": round(exported["seconds"], 2),
                }
            )
        if "reimport_1pct" in names:
            changed = folder / "register-updated.xlsx"
            write_demo_workbook(changed, plan=PLAN, community="基准第1居民区", new_phone_every=100)
            again = _import(changed, community, staff, folder)
            measure.progress(f"re-import: {again['seconds']:.2f} s, {again['changed']} changed")
            measure.emit(
                {"bench": "reimport_1pct", "value": round(again["seconds"], 2), "unit": "s"}
                | {"ratio": round(again["seconds"] / first["seconds"], 2), "ratio_to": "import_100k"}
                | {"changed": again["changed"], "unchanged": again["unchanged"], "peak_mb": again["peak_mb"]}
                | {"preview_s": again["preview_s"]}
                | again["phases"]
            )
        if {"import_export_default", "import_export_tuned"} & set(names):
            from .import_export import compare  # django-import-export is installed by `make bench` only

            compare(names, community, folder, our_seconds=first["seconds"])


def _timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _read_calamine(path):
    for sheet in read_sheets(path):
        for _line, _row in sheet.rows:
            pass


def _read_openpyxl(path):
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    workbook.close()


def _community():
    street = Street.objects.create(name="基准导入街道")
    community = Community.objects.create(street=street, name="基准第1居民区")
    staff = User.objects.create_user(username="bench-import", password="x")
    RoleAssignment.objects.create(user=staff, role=Role.COMMITTEE_STAFF, community=community)
    return community, staff


def _import(path, community, staff, folder):
    """Preview here, then the confirmed import in a fresh process, as a worker runs it."""
    with path.open("rb") as file:
        job = import_job_create(actor=staff, community=community, compound=None, upload=File(file, path.name))
    started = time.perf_counter()
    import_job_preview(job)
    preview = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW, (job.status, job.problems, job.message)
    import_job_confirm(actor=staff, job=job)
    result = _child([str(job.pk)], folder)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.status, job.message)
    return result | {"preview_s": round(preview, 2), "created": job.created, "changed": job.changed}


def _child(arguments, folder):
    env = os.environ | {"DJANGO_MEDIA_ROOT": str(folder)}
    command = [sys.executable, "-m", "tests.bench.import_child", *arguments]
    child = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])
