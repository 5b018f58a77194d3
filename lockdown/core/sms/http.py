"""HTTP for the provider backends: which failures surely sent nothing, and which might have."""

import httpx

from .base import NotSent, Unsure

# The connection was never made, or no connection was free: the request was not written.
_NOT_WRITTEN = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def client(timeout: float) -> httpx.Client:
    # Never retried here: a retry of a request that may have arrived could send a message twice.
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))


def post_json(http: httpx.Client, url: str, **kwargs) -> tuple[int, dict]:
    """POST and read the JSON answer; raise NotSent or Unsure when there is no usable answer."""
    try:
        response = http.post(url, **kwargs)
    except _NOT_WRITTEN as error:
        raise NotSent("unreachable", str(error) or type(error).__name__) from error
    except httpx.HTTPError as error:
        raise Unsure("no-answer", str(error) or type(error).__name__) from error
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        if response.status_code >= 500:
            raise Unsure(f"http-{response.status_code}", response.text[:200])
        raise Unsure("bad-answer", f"HTTP {response.status_code}: {response.text[:200]}")
    return response.status_code, body
