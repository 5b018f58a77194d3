"""The address a request came from, for audit rows and per-address limits.

Behind proxies (the TLS proxy in front of gunicorn) REMOTE_ADDR is the nearest proxy's address, the
same for everyone: a limit per address would then hold the whole site to one allowance.
DJANGO_PROXY_HOPS says how many proxies of our own stand in front; each appends the address it
received from to X-Forwarded-For, so the client is that many entries from its end. Entries further
left were written by the client itself and are never trusted.
"""

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address as the nearest untrusted hop gave it, or None if the request has none."""
    hops = settings.PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
