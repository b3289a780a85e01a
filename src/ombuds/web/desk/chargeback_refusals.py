"""What the chargebacks app's refusals say to an agent, in the agent's language; other
codes fall back to the desk's general sentences (refusals.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ombuds.core.errors import ApplicationError

from .refusals import refusal_message


def chargeback_refusal_message(error: ApplicationError) -> str:
    simple = {
        "evidence_already_submitted": _(
            "Stripe accepts a single evidence submission per dispute, and it has been made."
        ),
        "evidence_not_awaited": _("Stripe takes evidence only while the dispute needs a response."),
        "evidence_past_due": _("The deadline for evidence has passed."),
        "evidence_changed": _(
            "The evidence changed since you looked at it. Check the preview again, then submit."
        ),
        "evidence_at_provider": _("This provider takes evidence in its own dashboard."),
        "statement_too_long": _("The statement is too long."),
        "evidence_too_long": _("All evidence text together may hold at most 150,000 characters."),
        "evidence_file_too_large": _("An evidence file may be at most 5 MB."),
        "attachment_not_eligible": _(
            "Only a PDF, JPEG or PNG of this case or its dispute, at most 5 MB, can be sent as "
            "evidence."
        ),
        "unknown_evidence_field": _("That evidence field does not take a chosen file."),
        "invalid_provider": _("The provider's name is 2-30 lower-case letters, digits or dashes."),
        "provider_already_connected": _("This provider is already connected."),
        "provider_fixed": _("A connection's provider cannot change; connect a new one instead."),
        "invalid_secret_key": _(
            "A Stripe secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_."
        ),
        "invalid_webhook_secret": _("A Stripe webhook signing secret starts with whsec_."),
        "missing_secret_key": _("Stripe needs the account's secret key."),
        "missing_webhook_secret": _("The webhook signing secret is required."),
        "secret_key_unused": _("Only Stripe is called with a secret key."),
        "call_not_failed": _("Only a call that gave up is tried again."),
        "call_not_retried": _(
            "A refused or failed evidence submission is made again, not retried."
        ),
    }
    message = simple.get(error.code)
    return str(message) if message is not None else refusal_message(error)
