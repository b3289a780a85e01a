"""How much a chat may carry, and how fast: a visitor is anonymous, so every limit here is
what stands between one browser tab and a flood of cases."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.cache import cache

# One chat message; longer text belongs in the contact form or an email.
MAX_MESSAGE_CHARS = 2000
MAX_NAME_CHARS = 100
# A websocket frame larger than this is refused before it is parsed.
MAX_FRAME_BYTES = 16 * 1024
# Visitor messages per session, and new sessions per client address, per window.
MESSAGES_PER_SESSION = (12, 30)
SESSIONS_PER_ADDRESS = (30, 60 * 60)
# Typing notices a socket may pass on: more often than this they are dropped.
TYPING_INTERVAL = 1.0
# A socket that has not said anything for this long no longer counts as present.
PRESENCE_TTL = timedelta(seconds=75)
# A waiting or active chat untouched for this long is ended by the sweep.
IDLE_AFTER = timedelta(minutes=30)
# Transcript sent to a widget when it (re)connects.
TRANSCRIPT_LIMIT = 200


def allow(scope: str, key: str, *, limit: tuple[int, int]) -> bool:
    """Count one more hit of `key` in `scope`; False once the window's budget is spent.

    Fixed windows in Django's cache: per process with the embedded default (one process
    serves every socket there), exact with Redis."""
    budget, window = limit
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ombuds:chat:throttle:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:
        cache.add(cache_key, 1, timeout=window)
        return True
    return hits <= budget
