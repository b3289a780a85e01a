"""Connecting accounts and posting to their webhooks as each platform does; shared by
the intake's and the desk's tests."""

from __future__ import annotations

from django.urls import reverse

from ombuds.intake.social.accounts import AccountInput, connect_channel_account

from . import documented as doc

SECRETS = {
    "whatsapp": "meta-app-secret",
    "messenger": "meta-app-secret",
    "telegram": "tg-secret_token-42",
    "x": "x-consumer-secret",
}


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
