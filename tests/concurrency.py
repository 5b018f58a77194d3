"""Writers at the same moment on PostgreSQL, each in a thread of its own with a connection of its own:
released together (`at_once`), or in a known order (`Writer`, `wait_until_blocked`): the first
holds its transaction open, the second is seen waiting for the first's lock, then the first commits.
Tests that use them need `@pytest.mark.django_db(transaction=True)` and the `on_postgres` fixture."""

import threading
import time

from django.db import connection, connections, transaction
from django.utils import translation


class Writer(threading.Thread):
    """Runs `work()` on a database connection of its own; keeps what it returned (`result`) or the
    exception it raised (`error`), and its connection's server process (`pid`)."""

    def __init__(self, work, barrier=None):
        super().__init__(daemon=True)
        self.work, self.barrier = work, barrier
        self.result = self.error = self.pid = None
        self.connected = threading.Event()

    def run(self):
        translation.activate("en")  # what the writer is told, in English, as the tests read
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            if self.barrier:
                self.barrier.wait()
            self.result = self.work()
        except Exception as error:  # noqa: BLE001 - the test asserts on it
            self.error = error
        finally:
            self.connected.set()
            connections.close_all()


def at_once(*works):
    """Run each work in a Writer, all released at the same moment; returns the finished Writers."""
    barrier = threading.Barrier(len(works))
    writers = [Writer(work, barrier) for work in works]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=30)
    return writers


def wait_until_blocked(writer, timeout=10.0) -> bool:
    """Wait until `writer`'s connection waits for a lock another transaction holds; False if it
    finished (or the time ran out) without ever waiting."""
    writer.connected.wait(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and writer.is_alive():
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [writer.pid])
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return True
        time.sleep(0.01)
    return False


def first_then(first, second):
    """`first()` runs in a transaction held open while `second()` starts; once `second` is seen
    waiting for a lock, `first` commits. Returns both finished Writers and whether `second` waited."""
    holding, release = threading.Event(), threading.Event()

    def held():
        with transaction.atomic():
            result = first()
            holding.set()
            release.wait(10)  # the transaction stays open: its row locks with it
        return result

    winner = Writer(held)
    winner.start()
    holding.wait(10)
    waiting = Writer(second)
    waiting.start()
    blocked = wait_until_blocked(waiting)
    release.set()
    winner.join(10)
    waiting.join(10)
    return winner, waiting, blocked
