"""A Celery worker for the SMS benchmark that counts its database queries in Redis.

`python -m tests.bench.sms_worker QUEUE CONCURRENCY`, with BENCH_QUERY_KEY naming the Redis counter.
Every query of every pool process adds one to it, so the benchmark reads the worker's queries per
message without touching the product's code.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lockdown.settings")
# Warnings and errors only: the worker logs at the web process's level (lockdown/celery.py).
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
django.setup()

import redis  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402

from lockdown.celery import app  # noqa: E402

counter = redis.Redis.from_url(os.environ["REDIS_URL"])
key = os.environ["BENCH_QUERY_KEY"]


def count_query(execute, sql, params, many, context):
    counter.incr(key)
    return execute(sql, params, many, context)


def install_counter(sender, connection, **kwargs):
    if count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_query)


connection_created.connect(install_counter)

if __name__ == "__main__":
    queue, concurrency = sys.argv[1], sys.argv[2]
    app.worker_main(["worker", "-Q", queue, "--pool", "prefork", "-c", concurrency])
