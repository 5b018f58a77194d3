"""The benchmark's own PostgreSQL database: created empty at the start, dropped at the end.

The server and credentials come from DATABASE_URL when it points at PostgreSQL (otherwise the
local server, postgres@127.0.0.1:5432). The database name is the URL's when it contains "bench"
(lockdown_bench_x), else the URL's name with "_bench" appended, so that pointing DATABASE_URL at a
working database never drops that database.
"""

import os
import sys
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lockdown_bench"


def bench_url(environ=os.environ):
    """The URL of the database the benchmark owns."""
    url = environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        url = DEFAULT_URL
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "lockdown"
    if "bench" not in name:
        name = f"{name}_bench"
    return parts._replace(path=f"/{name}").geturl()


def _server(url):
    """A libpq connection to the same server's maintenance database, and the bench database's name."""
    parts = urlsplit(url)
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    return connection, parts.path.lstrip("/")


def recreate(url):
    connection, name = _server(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()
    print(f"bench: created database {name}", file=sys.stderr)


def drop(url):
    connection, name = _server(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()
    print(f"bench: dropped database {name}", file=sys.stderr)
