"""The channels page: only admins connect messaging platforms; secrets go in and never
come back out; the page shows the webhook address and what the webhook last did."""

from __future__ import annotations

import pytest
from django.conf import settings

from ombuds.intake.models import ChannelAccount
from tests import builders
from tests.intake.social import documented as doc
from tests.intake.social.platforms import connect, post_signed

URL = "/w/resale/channels/"


@pytest.fixture
def admin(workspace):
    return builders.member(workspace, "admin@resale.test", role="admin", name="Ada Admin")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def connect_form(**overrides) -> dict:
    form = {
        "channel": "whatsapp",
        "name": "Support line NL",
        "account_id": doc.PHONE_NUMBER_ID,
        "access_token": "EAAG-very-secret-token",
        "signing_secret": "app-secret-4f2a",
        "verify_token": "verify-word-9",
        "api_base_url": "",
        "is_active": "on",
    }
    form.update(overrides)
    return form


def test_agents_may_not_manage_channels(agent_client):
    assert agent_client.get(URL).status_code == 403
    assert agent_client.post(URL + "new/", connect_form()).status_code == 403
    assert not ChannelAccount.objects.exists()
    assert 'href="/w/resale/channels/"' not in agent_client.get("/w/resale/inbox/").text


def test_an_admin_connects_whatsapp_and_secrets_never_come_back(admin_client, workspace):
    answer = admin_client.post(URL + "new/", connect_form())
    account = ChannelAccount.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"{URL}{account.pk}/"
    assert (account.workspace, account.channel, account.account_id) == (
        workspace,
        "whatsapp",
        doc.PHONE_NUMBER_ID,
    )
    assert account.signing_secret == "app-secret-4f2a"

    for path in (URL, f"{URL}{account.pk}/"):
        text = admin_client.get(path).text
        for secret in ("EAAG-very-secret-token", "app-secret-4f2a", "verify-word-9"):
            assert secret not in text
    text = admin_client.get(f"{URL}{account.pk}/").text
    assert f"{settings.OMBUDS_PUBLIC_URL}/intake/whatsapp/{doc.PHONE_NUMBER_ID}/" in text
    assert text.count(">set</span>") == 3


def test_saving_with_empty_secrets_keeps_them(admin_client):
    admin_client.post(URL + "new/", connect_form())
    account = ChannelAccount.objects.get()
    form = connect_form(name="Renamed", access_token="", signing_secret="", verify_token="")
    assert admin_client.post(f"{URL}{account.pk}/", form).status_code == 302
    account.refresh_from_db()
    assert account.name == "Renamed"
    assert (account.access_token, account.signing_secret, account.verify_token) == (
        "EAAG-very-secret-token",
        "app-secret-4f2a",
        "verify-word-9",
    )


def test_a_missing_secret_or_a_taken_account_is_refused_with_the_reason(
    admin_client, other_workspace
):
    answer = admin_client.post(URL + "new/", connect_form(signing_secret=""))
    assert answer.status_code == 422
    assert "signing secret is required" in answer.text
    other_admin = builders.member(other_workspace, "admin@other.test", role="admin")
    connect(other_workspace, other_admin, "whatsapp", doc.PHONE_NUMBER_ID, "")
    answer = admin_client.post(URL + "new/", connect_form())
    assert answer.status_code == 422
    assert "already connected" in answer.text
    assert ChannelAccount.objects.count() == 1


def test_a_telegram_bot_takes_its_id_from_the_token_and_registers_its_webhook(
    admin_client, httpserver
):
    answer = admin_client.post(
        URL + "new/",
        connect_form(
            channel="telegram",
            account_id="",
            access_token=doc.BOT_TOKEN,
            signing_secret="tg-secret_token-42",
            verify_token="",
            api_base_url=httpserver.url_for("/"),
        ),
    )
    assert answer.status_code == 302, answer.content
    account = ChannelAccount.objects.get()
    assert account.account_id == doc.BOT_ID
    httpserver.expect_oneshot_request(
        f"/bot{doc.BOT_TOKEN}/setWebhook",
        method="POST",
        json={
            "url": f"{settings.OMBUDS_PUBLIC_URL}/intake/telegram/{doc.BOT_ID}/",
            "secret_token": "tg-secret_token-42",
            "allowed_updates": ["message", "edited_message", "callback_query"],
        },
    ).respond_with_json({"ok": True, "result": True, "description": "Webhook was set"})
    answer = admin_client.post(f"{URL}{account.pk}/telegram-webhook/", follow=True)
    assert "Telegram now sends this bot" in answer.text
    httpserver.check_assertions()


def test_the_page_shows_the_last_webhook_and_the_last_error(admin_client, client, workspace, admin):
    account = connect(workspace, admin, "x", doc.X_USER_ID, "")
    assert "none yet" in admin_client.get(URL).text
    post_signed(client, account, doc.x_dm("1", "hi"), secret="wrong")
    text = admin_client.get(URL).text
    assert "wrong x-twitter-webhooks-signature" in text


def test_another_workspaces_channel_is_not_found(admin_client, other_workspace):
    other_admin = builders.member(other_workspace, "admin@other.test", role="admin")
    theirs = connect(other_workspace, other_admin, "x", "999", "")
    assert admin_client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert admin_client.post(f"{URL}{theirs.pk}/", connect_form(channel="x")).status_code == 404


def test_the_channels_page_speaks_dutch(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    text = admin_client.get(URL).text
    assert "Berichtenkanalen" in text
    assert "Kanaal koppelen" in text
