"""Inserting many rows at once: PostgreSQL's COPY where the database is PostgreSQL, bulk_create elsewhere.

COPY writes 100,000 rows several times faster than bulk_create's INSERT statements, mostly because
Django builds no SQL or parameters per row. It returns no ids, so they are drawn from the table's
sequence first, in one query.
"""

import datetime
import io
import json

from django.db import connection

COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def insert_rows(model, columns: list[str], rows: list[tuple]) -> list[int]:
    """Insert `rows` (values in the order of `columns`, by attribute name) and return their new ids."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create((model(**dict(zip(columns, row, strict=True))) for row in rows), 500)
        return [obj.pk for obj in objects]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in ["id", *columns])
        data = io.StringIO()
        data.writelines("\t".join(map(_copy_text, (pk, *row))) + "\n" for pk, row in zip(ids, rows, strict=True))
        data.seek(0)
        cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN", data)
    return ids


def _copy_text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    if isinstance(value, datetime.date):  # dates and aware datetimes alike
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(COPY_ESCAPES)
    return str(value)
