"""Signed webhooks against a real HTTP server on this machine: the signature verifies,
retries back off, a permanent failure is kept and told."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from ombuds.core import webhooks
from ombuds.core.models import WebhookDelivery, WebhookEndpoint

SECRET = "whsec_test_7f3a"


class Receiver:
    """A local endpoint that answers with the statuses it is given, in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.calls: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def start(*statuses):
        made.append(Receiver(statuses))
        return made[-1]

    yield start
    for r in made:
        r.close()


def endpoint(workspace, url, events=()):
    return WebhookEndpoint.objects.create(
        workspace=workspace, name="Platform", url=url, secret=SECRET, events=list(events)
    )


def _due_now(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_delivery_is_signed_and_verifiable(workspace, receiver):
    server = receiver(200)
    target = endpoint(workspace, server.url)
    (delivery,) = webhooks.enqueue(
        workspace=workspace,
        event="case.escalated",
        payload={"case": "RES-1", "amount": 1250},
        idempotency_key="esc:1",
    )
    assert webhooks.send_due() == 1
    (call,) = server.calls
    headers = call["headers"]
    assert webhooks.verify(SECRET, headers["Ombuds-Signature"], call["body"])
    assert not webhooks.verify("wrong", headers["Ombuds-Signature"], call["body"])
    assert not webhooks.verify(SECRET, headers["Ombuds-Signature"], call["body"] + b" ")
    t, v1 = headers["Ombuds-Signature"].split(",")
    assert t.startswith("t=") and v1.startswith("v1=") and len(v1) == 3 + 64
    assert headers["Idempotency-Key"] == "esc:1"
    assert headers["Ombuds-Event"] == "case.escalated"
    envelope = json.loads(call["body"])
    assert envelope["data"] == {"case": "RES-1", "amount": 1250}
    assert envelope["workspace"] == "resale"
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1
    assert delivery.endpoint == target


def test_an_old_signature_is_refused():
    body = b"{}"
    header = webhooks.sign(SECRET, 1_000_000, body)
    assert webhooks.verify(SECRET, header, body, now=1_000_100)
    assert not webhooks.verify(SECRET, header, body, now=1_000_000 + 301)
    assert not webhooks.verify(SECRET, "garbage", body)


def test_server_errors_are_retried_with_back_off_and_the_same_key(workspace, receiver):
    server = receiver(503, 500, 200)
    endpoint(workspace, server.url)
    (delivery,) = webhooks.enqueue(
        workspace=workspace, event="x.y", payload={}, idempotency_key="k-1"
    )
    before = timezone.now()
    webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.attempts == 1
    assert delivery.last_status_code == 503
    assert delivery.next_attempt_at >= before + timedelta(minutes=1)
    assert webhooks.send_due() == 0  # not due yet

    _due_now(delivery)
    webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at >= before + timedelta(minutes=2)

    _due_now(delivery)
    webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert [c["headers"]["Idempotency-Key"] for c in server.calls] == ["k-1"] * 3


def test_a_client_error_fails_for_good_and_is_told(workspace, receiver):
    server = receiver(400)
    endpoint(workspace, server.url)
    told = []
    webhooks.on_failure(told.append)
    try:
        (delivery,) = webhooks.enqueue(
            workspace=workspace, event="x.y", payload={}, idempotency_key="k-2"
        )
        webhooks.send_due()
    finally:
        webhooks._FAILURE_LISTENERS.remove(told.append)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.last_status_code == 400
    assert "nope" in delivery.last_error
    assert told == [delivery]
    assert len(server.calls) == 1
    webhooks.retry(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.attempts == 0


def test_an_unreachable_endpoint_gives_up_after_the_last_attempt(workspace, receiver):
    server = receiver()
    url = server.url
    server.close()  # nobody listens there any more
    endpoint(workspace, url)
    (delivery,) = webhooks.enqueue(
        workspace=workspace, event="x.y", payload={}, idempotency_key="k-3"
    )
    for _ in range(webhooks.MAX_ATTEMPTS):
        _due_now(delivery)
        webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.last_status_code is None


def test_the_same_key_is_one_delivery_and_endpoints_pick_their_events(workspace, receiver):
    server = receiver()
    every = endpoint(workspace, server.url)
    WebhookEndpoint.objects.create(
        workspace=workspace, name="Money", url=server.url, secret="s", events=["refund.made"]
    )
    first = webhooks.enqueue(workspace=workspace, event="case.x", payload={}, idempotency_key="a")
    again = webhooks.enqueue(workspace=workspace, event="case.x", payload={}, idempotency_key="a")
    assert [d.pk for d in first] == [d.pk for d in again]
    assert [d.endpoint for d in first] == [every]
    assert WebhookDelivery.objects.count() == 1
    assert (
        len(
            webhooks.enqueue(
                workspace=workspace, event="refund.made", payload={}, idempotency_key="b"
            )
        )
        == 2
    )


def test_no_endpoint_of_another_workspace(workspace, other_workspace, receiver):
    server = receiver()
    endpoint(other_workspace, server.url)
    assert webhooks.enqueue(workspace=workspace, event="x.y", payload={}, idempotency_key="c") == []
