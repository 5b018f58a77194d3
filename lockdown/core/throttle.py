"""Limits on how often something may happen (registrations from one address, login codes to one
number), counted in the cache: Redis when REDIS_URL is set, so that every web process counts in
one place; the process's memory on a laptop.

A fixed window: the first use opens it for `seconds`, each use counts in it, and it closes by
itself. Counting is the cache's own atomic increment, so of two uses at once each gets its own count.
"""

from django.core.cache import cache


def take(kind: str, who: str, *, limit: int, seconds: int) -> bool:
    """Count one use of `kind` by `who`; False when it is over `limit` uses in the window (the use
    is counted all the same: a client refused keeps being refused until the window ends)."""
    key = f"throttle:{kind}:{who}"
    cache.add(key, 0, timeout=seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # the window closed between add and incr: this use opens the next one
        cache.add(key, 1, timeout=seconds)
        used = 1
    return used <= limit


def once_per(kind: str, who: str, *, seconds: int) -> bool:
    """True for the first use of `kind` by `who` in `seconds`, False for every other until then."""
    return cache.add(f"throttle:{kind}:{who}", 1, timeout=seconds)


def forget(kind: str, who: str) -> None:
    """Close `who`'s window of `kind` now (a use that did not happen after all)."""
    cache.delete(f"throttle:{kind}:{who}")
