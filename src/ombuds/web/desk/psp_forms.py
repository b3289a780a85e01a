"""The form an admin connects a payment provider with. Secrets are write-only: the
inputs never show what is stored, and an empty one keeps it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.chargebacks.connections import SECRETS, ConnectionInput

from .channel_forms import SecretInput


class PspConnectionForm(forms.Form):
    provider = forms.CharField(
        label=_("Provider"),
        max_length=30,
        initial="stripe",
        help_text=_("stripe, or the name another provider's webhooks arrive under (adyen…)."),
    )
    name = forms.CharField(label=_("Name"), max_length=100, initial="Stripe")
    account_id = forms.CharField(
        label=_("Account id"),
        max_length=100,
        required=False,
        help_text=_("Stripe: the platform's account id (acct_…)."),
    )
    secret_key = forms.CharField(
        label=_("Secret key"),
        max_length=255,
        required=False,
        widget=SecretInput(),
        help_text=_("Stripe only: sk_… or a restricted rk_… key."),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"),
        max_length=255,
        required=False,
        widget=SecretInput(),
        help_text=_("Stripe: the endpoint's whsec_… secret. Others: the secret they sign with."),
    )
    connect_enabled = forms.BooleanField(
        label=_("Stripe Connect platform"),
        required=False,
        help_text=_(
            "Refunds the seller bears reverse the seller's transfer and give back the "
            "application fee."
        ),
    )
    team = forms.TypedChoiceField(
        label=_("Team for chargebacks"), required=False, coerce=int, empty_value=None
    )
    api_base_url = forms.URLField(
        label=_("API address"),
        required=False,
        assume_scheme="https",
        help_text=_("Leave empty for the provider's own."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, connection=None, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = connection
        self.fields["team"].choices = [("", _("Finance or Escalations, if there is one"))] + [
            (t.pk, t.name) for t in teams
        ]
        if connection is not None:
            self.fields["provider"].disabled = True
        for name in SECRETS:
            field = self.fields[name]
            field.is_secret = True
            # Whether one is stored: all a page ever says about a secret.
            field.is_set = bool(connection is not None and getattr(connection, name))
            if field.is_set:
                field.widget.attrs["placeholder"] = _("set — leave empty to keep")

    @classmethod
    def initial_for(cls, connection) -> dict:
        return {
            "provider": connection.provider,
            "name": connection.name,
            "account_id": connection.account_id,
            "connect_enabled": connection.connect_enabled,
            "team": connection.team_id,
            "api_base_url": connection.api_base_url,
            "is_active": connection.is_active,
        }

    def to_input(self) -> ConnectionInput:
        data = self.cleaned_data
        return ConnectionInput(
            provider=self.connection.provider if self.connection else data["provider"],
            name=data["name"],
            account_id=data["account_id"],
            secret_key=data["secret_key"],
            webhook_secret=data["webhook_secret"],
            connect_enabled=data["connect_enabled"],
            api_base_url=data["api_base_url"] or "",
            team_id=data["team"],
            is_active=data["is_active"],
        )
