"""Keep to a provider's requests per second across every worker process.

Each request takes the next free slot on a shared timeline (the generic cell rate algorithm): slots
are 1/rate apart, so requests are spread evenly and never bunch. With Redis the timeline is one key
on the Redis server, whose clock all workers share; without Redis (a laptop, tasks in-process) it
is kept in this process.
"""

import threading
import time

# Atomically: take the slot at max(now, next free), move the next free slot one interval on, and
# answer how long the caller waits for its slot (microseconds).
_TAKE_SLOT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, next_free)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil((slot + interval - now) / 1000) + 1000)
return slot - now
"""


class Pacer:
    def __init__(self, key: str, requests_per_second: float | None, redis_url: str = ""):
        self.key = f"sms-pace:{key}"
        self.interval_us = int(1_000_000 / requests_per_second) if requests_per_second else 0
        self._script = None
        if redis_url and self.interval_us:
            import redis

            self._script = redis.Redis.from_url(redis_url).register_script(_TAKE_SLOT)
        self._lock = threading.Lock()
        self._next_free = 0.0

    def __call__(self):
        """Wait for this request's slot."""
        if not self.interval_us:
            return
        if self._script is not None:
            wait_us = int(self._script(keys=[self.key], args=[self.interval_us]))
            if wait_us > 0:
                time.sleep(wait_us / 1_000_000)
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_free)
            self._next_free = slot + self.interval_us / 1_000_000
        time.sleep(max(0.0, slot - now))
