"""Talking to the platforms' APIs: bounded time, bounded size, and every error sorted
into "try again later" and "will never work".

Nothing here puts a URL into an error message: Telegram's token is part of its URLs,
and errors end up on the case page and in the stored payload's error field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ombuds.core.transports import PermanentFailure

# A platform that takes longer than this is treated as down for now; the outbox and the
# intake sweep try again later.
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
USER_AGENT = "Ombuds/0.1"
# Status codes that say "not now" rather than "never".
RETRY_STATUSES = frozenset({408, 409, 425, 429})


class TransientFailure(Exception):
    """The platform could not take it now (busy, down, rate limited, unreachable)."""


class MediaUnavailable(Exception):
    """The platform no longer serves the file (expired, deleted, refused for good)."""


class MediaTooLarge(Exception):
    """The file is bigger than an attachment may be."""

    def __init__(self, size: int | None, limit: int):
        super().__init__(f"{size or 'more than ' + str(limit)} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit


@dataclass(frozen=True)
class Downloaded:
    content: bytes
    content_type: str


Classifier = Callable[[httpx.Response], Exception]


def base_url(account, default: str) -> str:
    """Where an account's API calls go: its own base URL (a sandbox, a test server) or
    the platform's."""
    return (account.api_base_url or default).rstrip("/")


def body_of(response: httpx.Response) -> dict:
    try:
        parsed = response.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def refusal(platform: str, response: httpx.Response, detail: str, *, retry: bool | None = None):
    """The exception for an unsuccessful answer: transient for 408/429/5xx (unless the
    platform's own code said otherwise), permanent for the other 4xx."""
    status = response.status_code
    if retry is None:
        retry = status in RETRY_STATUSES or status >= 500
    text = f"{platform} answered {status}: {detail or response.reason_phrase}"[:1000]
    return TransientFailure(text) if retry else PermanentFailure(text)


def call(
    method: str,
    url: str,
    *,
    platform: str,
    classify: Classifier,
    headers: dict[str, str] | None = None,
    json: Any = None,
    data: dict | None = None,
    files: dict | None = None,
    params: dict | None = None,
) -> dict:
    """One API request; the parsed JSON answer, or the classified exception."""
    try:
        with httpx.Client(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}) as client:
            response = client.request(
                method, url, headers=headers, json=json, data=data, files=files, params=params
            )
    except httpx.TimeoutException:
        raise TransientFailure(f"{platform} did not answer in time") from None
    except httpx.HTTPError as exc:
        raise TransientFailure(f"{platform} could not be reached ({type(exc).__name__})") from None
    if response.is_success:
        try:
            return response.json()
        except ValueError:
            raise TransientFailure(f"{platform} answered with something that is not JSON") from None
    raise classify(response)


def download(
    url: str, *, platform: str, limit: int, headers: dict[str, str] | None = None
) -> Downloaded:
    """A file from the platform, read no further than `limit` bytes."""
    if not url.lower().startswith(("https://", "http://")):
        raise MediaUnavailable(f"{platform} gave no usable address for the file")
    try:
        with (
            httpx.Client(
                timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": USER_AGENT}
            ) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            status = response.status_code
            if status in RETRY_STATUSES or status >= 500:
                raise TransientFailure(f"{platform} answered {status} for a file")
            if status >= 400:
                raise MediaUnavailable(f"{platform} answered {status} for a file")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise MediaTooLarge(int(declared), limit)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise MediaTooLarge(None, limit)
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
    except httpx.TimeoutException:
        raise TransientFailure(f"{platform} did not send the file in time") from None
    except httpx.HTTPError as exc:
        raise TransientFailure(
            f"{platform} could not be reached for a file ({type(exc).__name__})"
        ) from None
    return Downloaded(content=b"".join(chunks), content_type=content_type)
