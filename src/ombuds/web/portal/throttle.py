"""Fixed-window counters against floods: a bot filling the contact form, or someone using
the sign-in form to bomb a stranger's inbox.

They live in Django's cache. With the default per-process cache the limits are per
process: rough, but enough to make a flood slow; a shared cache (Redis) makes them exact."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

CONTACT_PER_ADDRESS = (10, 10 * 60)  # form submissions per client address per 10 minutes
LINKS_PER_ADDRESS = (20, 60 * 60)  # sign-in requests per client address per hour
LINKS_PER_EMAIL = (5, 60 * 60)  # sign-in emails per mailbox per hour


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is the client's to forge unless a trusted
    # proxy rewrites it, and the proxy is where per-client limits belong then.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(scope: str, key: str, *, limit: tuple[int, int]) -> bool:
    """Count one more hit of `key` in `scope`; False once the window's budget is spent."""
    budget, window = limit
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ombuds:portal:throttle:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:
        # The window ended between add() and incr(): this hit opens the next one.
        cache.add(cache_key, 1, timeout=window)
        return True
    return hits <= budget


def allow_client(request: HttpRequest, scope: str, *, limit: tuple[int, int]) -> bool:
    return allow(scope, client_address(request), limit=limit)
