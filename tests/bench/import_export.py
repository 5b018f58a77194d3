"""The same residents imported with django-import-export (installed by `make bench` only), for
tests/bench/imports.py, which runs this last: it empties the resident table between runs.

django-import-export reads one model per flat sheet, so it gets the residents our import wrote,
written out as one sheet of model columns (the household, building and community as ids, the
derived search fields already filled in). Its households exist before it starts (untimed), and the
foreign keys are read as plain ids: both spare it work that our import does (finding or creating the
areas, normalising the cells, the history). Each figure is the file loaded by tablib plus
`import_data`, as the confirm step of its admin does:

- `import_export_default`: the library's defaults (a transaction, an instance lookup and a diff per
  row, `save()` per row), matching residents by ID number. Timed on the first 10,000 rows and
  scaled to the whole file, as it says. With the default `rollback_on_validation_errors=False` it
  commits the good rows of a file with bad ones.
- `import_export_tuned`: its documented bulk tuning: `use_bulk`, `skip_diff`, `force_init_instance`
  (every row a new resident, no lookup), `batch_size=1000`.
"""

import time

import openpyxl
import tablib
from django.db import connection
from import_export import fields, resources, widgets

from households.models import Resident
from households.spreadsheets.plans import RESIDENT_INSERT

from . import measure

SLICE = 10_000
# The values our import writes for a resident, less the timestamps; the sheet names the areas without "_id".
VALUES = [name for name in RESIDENT_INSERT if name not in ("created_at", "updated_at")]
COLUMNS = [name.removesuffix("_id") for name in VALUES]


class ResidentResource(resources.ModelResource):
    # The areas as plain ids: a ForeignKeyWidget would fetch each row's household, building and community.
    household = fields.Field(attribute="household_id", column_name="household", widget=widgets.IntegerWidget())
    building = fields.Field(attribute="building_id", column_name="building", widget=widgets.IntegerWidget())
    community = fields.Field(attribute="community_id", column_name="community", widget=widgets.IntegerWidget())
    # A TextField gets the plain widget, which would write an empty cell as NULL.
    notes = fields.Field(attribute="notes", column_name="notes", widget=widgets.CharWidget())

    class Meta:
        model = Resident
        fields = COLUMNS
        import_id_fields = ("document_type", "id_number")


class TunedResidentResource(ResidentResource):
    class Meta(ResidentResource.Meta):
        use_bulk = True
        skip_diff = True
        force_init_instance = True
        batch_size = 1000


def compare(names, community, folder, our_seconds):
    """Print import_export_default and import_export_tuned against our import of the same residents."""
    residents = Resident.objects.filter(community=community).order_by("household_id", "id")
    rows = list(residents.values_list(*VALUES))
    whole, first_rows = folder / "residents-flat.xlsx", folder / "residents-flat-10k.xlsx"
    _write_flat(whole, rows)
    _write_flat(first_rows, rows[:SLICE])
    measure.progress(f"django-import-export: {len(rows):,} residents in one flat sheet")

    if "import_export_default" in names:
        _empty_residents()
        timed = min(SLICE, len(rows))
        seconds, load = _import(first_rows, ResidentResource(), expected=timed)
        scaled = seconds * len(rows) / timed
        measure.progress(f"django-import-export default: {seconds:.1f} s for {timed:,} rows, {scaled:.0f} s scaled")
        measure.emit(
            {"bench": "import_export_default", "value": round(scaled, 1), "unit": "s"}
            | {"ratio": round(scaled / our_seconds, 1), "ratio_to": "import_100k", "goal": "ratio >= 10"}
            | {"timed_rows": timed, "timed_s": round(seconds, 2), "load_s": round(load, 2), "scaled_to_rows": len(rows)}
        )
    if "import_export_tuned" in names:
        _empty_residents()
        seconds, load = _import(whole, TunedResidentResource(), expected=len(rows))
        measure.progress(f"django-import-export tuned: {seconds:.1f} s")
        measure.emit(
            {"bench": "import_export_tuned", "value": round(seconds, 1), "unit": "s"}
            | {"ratio": round(seconds / our_seconds, 1), "ratio_to": "import_100k", "goal": "ratio >= 5"}
            | {"rows": len(rows), "load_s": round(load, 2)}
        )


def _write_flat(path, rows):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("residents")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _empty_residents():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE households_resident CASCADE")


def _import(path, resource, expected):
    """(seconds, of which loading the file) of one import."""
    started = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    loaded = time.perf_counter()
    result = resource.import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - started
    errors = [error.error for _line, row_errors in result.row_errors() for error in row_errors]
    assert not result.has_errors(), (result.base_errors, errors[:3])
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows[:3]]
    assert Resident.objects.count() == expected, (Resident.objects.count(), expected)
    return seconds, loaded - started
