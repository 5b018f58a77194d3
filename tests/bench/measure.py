"""Measuring a page: its latency, its SQL replayed bare, the plans of that SQL, and printing a figure."""

import contextlib
import json
import statistics
import sys
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

RUNS = 40
WARMUP = 3

# The tables that grow with the register. The others (sessions, accounts, roles, streets,
# communities, compounds, zones) hold a few rows per committee, where a Seq Scan is the right plan.
BIG_TABLES = {
    "households_building",
    "households_household",
    "households_resident",
    "households_residenttag",
    "households_change",
    "volunteers_task",
    "volunteers_volunteer",
    "volunteers_signup",
    "volunteers_shift",
    "supplies_parcel",
    "supplies_parcelevent",
}


def elapsed_ms(action):
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def capture_sql(action):
    """The SQL statements `action` sends, exactly as the server received them."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return [query["sql"] for query in captured.captured_queries]


def run_bare(statements, *, atomic=False):
    """The page's statements through a plain cursor: executed, every row fetched, nothing else; in
    one transaction with `atomic`, as a request that writes runs them."""
    with transaction.atomic() if atomic else contextlib.nullcontext(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
            if cursor.description is not None:
                cursor.fetchall()


TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def replayable(statements):
    """The statements but for those that open, close and nest the request's transaction
    (run_bare(atomic=True) opens one of its own instead)."""
    return [statement for statement in statements if not statement.startswith(TRANSACTION)]


def paired_medians(page, bare, runs=RUNS, warmup=WARMUP):
    """Median milliseconds of `page` and of `bare`, run in alternation so both see the same noise."""
    for _ in range(warmup):
        page()
        bare()
    page_times, bare_times = [], []
    for _ in range(runs):
        page_times.append(elapsed_ms(page))
        bare_times.append(elapsed_ms(bare))
    return statistics.median(page_times), statistics.median(bare_times)


def median_ms(action, runs=RUNS, warmup=WARMUP):
    for _ in range(warmup):
        action()
    return statistics.median(elapsed_ms(action) for _ in range(runs))


def _seq_scans(node):
    if node.get("Node Type") == "Seq Scan":
        yield node["Relation Name"]
    for child in node.get("Plans", ()):
        yield from _seq_scans(child)


def seq_scans(statements):
    """For each statement the tables its plan reads with a Seq Scan: [(statement, [table, ...]), ...]."""
    found = []
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement)
            (plan,) = cursor.fetchone()
            if isinstance(plan, str):
                plan = json.loads(plan)
            found.append((statement, sorted(set(_seq_scans(plan[0]["Plan"])))))
    return found


def explain(statement):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())


def progress(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def emit(figure):
    print(json.dumps(figure), flush=True)


# Pages ---------------------------------------------------------------------------------------------


def get_ok(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    return response


def page_floors(client, mobile=False):
    """The floors under every page figure (tests/bench/urls.py), through the page's own client and
    session, with the desk's layout or the phone's; the caller has ROOT_URLCONF set to tests.bench.urls."""
    from .urls import FLOOR_PATH, MOBILE_FLOOR_PATH, TRIVIAL_PATH

    floors = {
        "trivial_view": median_ms(lambda: get_ok(client, TRIVIAL_PATH)),
        "logged_in_floor": median_ms(lambda: get_ok(client, MOBILE_FLOOR_PATH if mobile else FLOOR_PATH)),
    }
    progress(f"floors (ms): {floors}")
    return floors


def page_figure(name, client, url, floors, extra, goal):
    """Print a page's figure: its median latency, its queries, its ratio to `floor_plus_sql` (the
    logged-in floor plus its own SQL replayed bare), and the big tables its plans scan."""
    progress(f"{name}: GET {url}")
    request_figure(name, lambda: get_ok(client, url), floors, extra, goal)


def request_figure(name, request, floors, extra, goal, writes=False):
    """As page_figure, for any request (`request()` makes it and checks its answer); one that
    `writes` has its SQL replayed in one transaction, without its savepoints."""
    statements = capture_sql(request)
    bare = replayable(statements) if writes else statements
    page_ms, bare_ms = paired_medians(request, lambda: run_bare(bare, atomic=writes))

    scanned = seq_scans(bare)
    big = sorted({table for _, tables in scanned for table in tables if table in BIG_TABLES})
    for number, (statement, tables) in enumerate(scanned, 1):
        if set(tables) & BIG_TABLES:
            progress(f"  query {number}: Seq Scan on {tables}:\n{statement}\n{explain(statement)}")
        else:
            progress(f"  query {number}: seq scans {tables or '-'}: {statement[:100]}…")

    emit(
        {
            "bench": name,
            "value": round(page_ms, 2),
            "unit": "ms",
            "queries": len(bare),
            "ratio": round(page_ms / (floors["logged_in_floor"] + bare_ms), 2),
            "ratio_to": "floor_plus_sql",
            "goal": goal,
            "ratio_to_own_sql": round(page_ms / bare_ms, 2),
            "own_sql": round(bare_ms, 2),
            **{floor: round(ms, 2) for floor, ms in floors.items()},
            **extra,
            "seq_scans": big,
        }
    )
