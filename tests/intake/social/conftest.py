"""The platforms stand in as one local HTTP server started by the test session
(pytest-httpserver); each test says exactly which documented requests it accepts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ombuds.intake.inbound import process_pending
from ombuds.intake.social.accounts import AccountInput, connect_channel_account
from tests import builders

from . import documented as doc

SECRETS = {
    "whatsapp": "meta-app-secret",
    "messenger": "meta-app-secret",
    "telegram": "tg-secret_token-42",
    "x": "x-consumer-secret",
}


@pytest.fixture
def api(httpserver):
    """The platforms' APIs, as the local server; unexpected requests fail the test."""
    yield httpserver
    httpserver.check_assertions()


@pytest.fixture
def admin(workspace):
    return builders.member(workspace, "admin@resale.test", role="admin", name="Ada Admin")


def connect(workspace, admin, channel: str, account_id: str, base: str, **extra):
    spec = AccountInput(
        channel=channel,
        name=extra.pop("name", f"{channel} support"),
        account_id=account_id,
        api_base_url=base,
        access_token=extra.pop("access_token", f"{channel}-access-token"),
        signing_secret=extra.pop("signing_secret", SECRETS[channel]),
        verify_token=extra.pop(
            "verify_token", "verify-me" if channel in ("whatsapp", "messenger") else ""
        ),
    )
    return connect_channel_account(workspace=workspace, by=admin, spec=spec)


@pytest.fixture
def whatsapp_account(workspace, admin, httpserver):
    return connect(workspace, admin, "whatsapp", doc.PHONE_NUMBER_ID, httpserver.url_for("/v26.0"))


@pytest.fixture
def messenger_account(workspace, admin, httpserver):
    return connect(workspace, admin, "messenger", doc.PAGE_ID, httpserver.url_for("/v26.0"))


@pytest.fixture
def telegram_account(workspace, admin, httpserver):
    return connect(
        workspace, admin, "telegram", "", httpserver.url_for("/"), access_token=doc.BOT_TOKEN
    )


@pytest.fixture
def x_account(workspace, admin, httpserver):
    return connect(workspace, admin, "x", doc.X_USER_ID, httpserver.url_for("/"))


def webhook_path(account) -> str:
    return reverse(f"intake_social:webhook_{account.channel}", args=[account.account_id])


def post_signed(client, account, payload: dict, *, secret: str | None = None, headers=None):
    """POST a payload to the account's webhook, signed as its platform signs it."""
    raw = doc.body(payload)
    secret = SECRETS[account.channel] if secret is None else secret
    if headers is None:
        if account.channel in ("whatsapp", "messenger"):
            headers = doc.meta_headers(secret, raw)
        elif account.channel == "x":
            headers = doc.x_headers(secret, raw)
        else:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    return client.post(
        webhook_path(account), data=raw, content_type="application/json", headers=headers
    )


@pytest.fixture
def deliver(client):
    """POST a signed payload, then let the intake worker process what was stored."""

    def run(account, payload, **kwargs):
        response = post_signed(client, account, payload, **kwargs)
        assert response.status_code == 200, response.content
        process_pending()
        return response

    return run


@pytest.fixture(scope="session")
def httpserver_listen_address():
    # IPv4 loopback only: the stand-in must not depend on how "localhost" resolves.
    return ("127.0.0.1", 0)
