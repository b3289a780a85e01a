"""A trigger that calls a webhook: the call is signed, about the case, and a failure for
good shows on the case's timeline."""

from __future__ import annotations

import json

from ombuds.core import webhooks
from ombuds.core.models import WebhookEndpoint
from tests import builders
from tests.core.test_webhooks import SECRET, receiver  # noqa: F401  (a fixture)

from .conftest import trigger


def _endpoint(workspace, url):
    return WebhookEndpoint.objects.create(
        workspace=workspace, name="Platform", url=url, secret=SECRET
    )


def test_a_rule_calls_the_platform_about_the_case(workspace, buyer, receiver):  # noqa: F811
    server = receiver(200)
    endpoint = _endpoint(workspace, server.url)
    trigger(
        workspace,
        ["case.created"],
        [{"field": "message.text", "op": "contains_words", "value": "refund"}],
        [{"type": "webhook", "value": str(endpoint.pk)}],
        name="Tell the platform",
    )
    case = builders.case(workspace, requester=buyer, body="I want a refund")
    assert webhooks.send_due() == 1
    (call,) = server.calls
    assert webhooks.verify(SECRET, call["headers"]["Ombuds-Signature"], call["body"])
    body = json.loads(call["body"])
    assert body["event"] == "case.rule_fired"
    assert body["data"]["rule"] == "Tell the platform"
    assert body["data"]["case"]["reference"] == case.reference
    created = case.events.get(kind="case.created")
    assert call["headers"]["Idempotency-Key"].endswith(f"event:{created.pk}")


def test_a_call_that_fails_for_good_is_on_the_timeline(workspace, buyer, receiver):  # noqa: F811
    server = receiver(410)
    endpoint = _endpoint(workspace, server.url)
    trigger(workspace, ["case.created"], [], [{"type": "webhook", "value": str(endpoint.pk)}])
    case = builders.case(workspace, requester=buyer)
    webhooks.send_due()
    failed = case.events.get(kind="webhook.failed")
    assert failed.data["endpoint"] == "Platform"
    assert failed.data["status_code"] == 410
