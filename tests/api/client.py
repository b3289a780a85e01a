"""A JSON client for /api/v1 and the check every refusal must pass."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


class Api:
    """Speaks JSON to /api/v1 as one token's holder."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        for name, value in (extra or {}).items():
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        return headers

    def get(self, path: str, params: Any = None, headers: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, headers: dict | None = None):
        raw = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.generic(
            method,
            f"/api/v1{path}",
            raw,
            content_type="application/json",
            **self._headers(headers),
        )

    def post(self, path: str, body: Any = None, headers: dict | None = None):
        return self.send("POST", path, body, headers)

    def put(self, path: str, body: Any = None, headers: dict | None = None):
        return self.send("PUT", path, body, headers)

    def patch(self, path: str, body: Any = None, headers: dict | None = None):
        return self.send("PATCH", path, body, headers)


def assert_error(response, status: int, code: str) -> dict:
    """The refusal has the agreed shape, status and code; returns its body."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body
