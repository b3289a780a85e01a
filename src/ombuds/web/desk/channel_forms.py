"""The form an admin connects a messaging platform with. Secrets are write-only: the
inputs never show what is stored, and an empty one keeps it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Channel
from ombuds.intake.social.accounts import SOCIAL_CHANNELS, AccountInput

SECRETS = ("access_token", "signing_secret", "verify_token")


class SecretInput(forms.PasswordInput):
    def __init__(self):
        super().__init__(render_value=False, attrs={"autocomplete": "off"})


class ChannelAccountForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Platform"),
        choices=[(c.value, c.label) for c in Channel if c.value in SOCIAL_CHANNELS],
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    account_id = forms.CharField(
        label=_("Account id"),
        max_length=100,
        required=False,
        help_text=_(
            "WhatsApp: the phone number id. Messenger: the page id. X: the account's user id. "
            "Telegram: leave empty, it is read from the bot token."
        ),
    )
    access_token = forms.CharField(
        label=_("Access token"),
        max_length=500,
        required=False,
        widget=SecretInput(),
        help_text=_(
            "WhatsApp and Messenger: the system-user or page token. Telegram: the bot "
            "token. X: the account's OAuth 2.0 user token."
        ),
    )
    signing_secret = forms.CharField(
        label=_("Signing secret"),
        max_length=500,
        required=False,
        widget=SecretInput(),
        help_text=_(
            "WhatsApp and Messenger: the app secret. Telegram: a secret token of your "
            "choice (letters, digits, _ and -). X: the app's consumer secret."
        ),
    )
    verify_token = forms.CharField(
        label=_("Verify token"),
        max_length=200,
        required=False,
        widget=SecretInput(),
        help_text=_(
            "WhatsApp and Messenger only: any word you also enter in the app's webhook settings."
        ),
    )
    api_base_url = forms.URLField(
        label=_("API address"),
        required=False,
        assume_scheme="https",
        help_text=_("Leave empty for the platform's own."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        if account is not None:
            self.fields["channel"].disabled = True
            self.fields["channel"].initial = account.channel
        for name in SECRETS:
            field = self.fields[name]
            field.is_secret = True
            # Whether one is stored: all a page ever says about a secret.
            field.is_set = bool(account is not None and getattr(account, name))
            if field.is_set:
                field.widget.attrs["placeholder"] = _("set — leave empty to keep")

    @classmethod
    def initial_for(cls, account) -> dict:
        return {
            "channel": account.channel,
            "name": account.name,
            "account_id": account.account_id,
            "api_base_url": account.api_base_url,
            "is_active": account.is_active,
        }

    def to_input(self) -> AccountInput:
        data = self.cleaned_data
        return AccountInput(
            channel=self.account.channel if self.account is not None else data["channel"],
            name=data["name"],
            account_id=data["account_id"],
            api_base_url=data["api_base_url"],
            access_token=data["access_token"],
            signing_secret=data["signing_secret"],
            verify_token=data["verify_token"],
            is_active=data["is_active"],
        )
