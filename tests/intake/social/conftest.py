"""The platforms stand in as one local HTTP server started by the test session
(pytest-httpserver); each test says exactly which documented requests it accepts."""

from __future__ import annotations

import pytest

from ombuds.intake.inbound import process_pending
from tests import builders

from . import documented as doc
from .platforms import connect, post_signed


@pytest.fixture
def api(httpserver):
    """The platforms' APIs, as the local server; unexpected requests fail the test."""
    yield httpserver
    httpserver.check_assertions()


@pytest.fixture
def admin(workspace):
    return builders.member(workspace, "admin@resale.test", role="admin", name="Ada Admin")


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
