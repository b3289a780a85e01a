"""Stripe's API as a local server: each test says which documented requests it
expects, and every request is kept so the test can look at exactly what was sent."""

from __future__ import annotations

import json
from dataclasses import dataclass

from werkzeug import Request, Response

from . import documented as doc


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    form: dict
    files: dict


class StripeStandIn:
    def __init__(self, httpserver):
        self.server = httpserver
        self.seen: list[Seen] = []

    def expect(self, method: str, path: str, answer, *, status: int = 200, times: int = 1):
        """Answer `times` requests to `path` with `answer` (a dict, or a function of the
        form fields returning one)."""

        def handle(request: Request) -> Response:
            seen = Seen(
                method=request.method,
                path=request.path,
                headers=dict(request.headers),
                form={k: v for k, v in request.form.items()},
                files={k: f.read() for k, f in request.files.items()},
            )
            self.seen.append(seen)
            body = answer(seen) if callable(answer) else answer
            return Response(
                json.dumps(body),
                status=status,
                headers={"Request-Id": f"req_{len(self.seen)}"},
                content_type="application/json",
            )

        for _ in range(times):
            self.server.expect_ordered_request(path, method=method).respond_with_handler(handle)

    def check_sent_by_the_sdk(self, seen: Seen, *, idempotency_key: str | None = None):
        """What every call to Stripe carries: the key as a bearer token, the version the
        SDK pins, and the idempotency key the outbox chose."""
        assert seen.headers["Authorization"] == f"Bearer {doc.SECRET_KEY}"
        assert seen.headers.get("Stripe-Version")
        if idempotency_key is not None:
            assert seen.headers["Idempotency-Key"] == idempotency_key


def dispute_answer(status="under_review", submission_count=1):
    def answer(seen: Seen):
        body = doc.dispute(status=status, submission_count=submission_count)
        body["evidence"].update(
            {k[len("evidence[") : -1]: v for k, v in seen.form.items() if k.startswith("evidence[")}
        )
        return body

    return answer
