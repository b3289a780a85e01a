"""Telling the buyer and the seller what happened, in their own language.

The buyer hears on their case, as the desk's reply (the outbox delivers it on the case's
channel); the seller by email from the case (`write_to_third_party`, also through the
outbox). Neither message carries a sign-in link: the case timeline shows both to
agents, and a link in it would let anyone reading it sign in as that party. They carry
the portal address instead, where a link is one click away.

A workspace may word any notice itself: an active macro whose key is the notice's
(`dispute-offer`, `rescue-3-succeeded`…) is used instead of the text here.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ombuds.automation.macros.services import reply_with_macro
from ombuds.automation.models import Macro
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Status
from ombuds.conversations.services import reply_to_customer, write_to_third_party
from ombuds.core.money import Money

from ..models import Dispute

log = logging.getLogger(__name__)
SENDER = "Disputes"
_LOCALES = {"en": "en_GB", "nl": "nl_NL"}


def _language(dispute: Dispute, party) -> str:
    for code in (getattr(party, "language", ""), dispute.workspace.default_language, "en"):
        code = (code or "").split("-")[0].lower()
        if code in dict(settings.LANGUAGES):
            return code
    return "en"


def when(dispute: Dispute, moment, language: str) -> str:
    """A deadline as the party reads it: their language, the workspace's clock."""
    if moment is None:
        return "—"
    return format_datetime(
        moment,
        format="d MMMM y, HH:mm",
        tzinfo=ZoneInfo(dispute.workspace.timezone),
        locale=_LOCALES.get(language, "en_GB"),
    )


def money(amount: int, currency: str, language: str) -> str:
    return Money(amount, currency).format(_LOCALES.get(language, "en_GB"))


class Later:
    """A value written out when the notice is, in the reader's language."""

    def __init__(self, render):
        self.render = render

    def __str__(self) -> str:
        return self.render((translation.get_language() or "en")[:2])


def buyer_url(dispute: Dispute) -> str:
    path = reverse(
        "web:portal_dispute",
        kwargs={"slug": dispute.workspace.slug, "reference": dispute.reference},
    )
    return settings.OMBUDS_PUBLIC_URL + path


def seller_url(dispute: Dispute) -> str:
    path = reverse(
        "web:seller_dispute",
        kwargs={"slug": dispute.workspace.slug, "reference": dispute.reference},
    )
    return settings.OMBUDS_PUBLIC_URL + path


def _values(dispute: Dispute, language: str, extra: dict) -> dict:
    values = {
        "reference": dispute.reference,
        "order": dispute.order.external_id,
        "seller": str(dispute.seller) if dispute.seller_id else dispute.workspace.name,
        "buyer": str(dispute.buyer),
        "marketplace": dispute.workspace.name,
        "amount": money(dispute.amount, dispute.currency, language),
        "deadline": when(dispute, dispute.deadline(), language),
    }
    values.update(extra)
    return values


# --- the buyer ------------------------------------------------------------------------


def _buyer_text(kind: str) -> str:
    texts = {
        "opened": _(
            "We opened dispute %(reference)s about order %(order)s. %(seller)s has until "
            "%(deadline)s to respond. You can follow it here: %(url)s"
        ),
        "opened_contact": _(
            "We recorded your problem with order %(order)s as dispute %(reference)s. "
            "%(seller)s first has until %(deadline)s to sort it out with you directly; if "
            "that does not happen, the dispute opens and the seller must respond to it. "
            "You can follow it here: %(url)s"
        ),
        "opened_platform": _(
            "We opened dispute %(reference)s about order %(order)s and are looking into it "
            "ourselves. You can follow it here: %(url)s"
        ),
        "contact_over": _(
            "The contact period for dispute %(reference)s is over. %(seller)s now has until "
            "%(deadline)s to respond. You can follow it here: %(url)s"
        ),
        "seller_accepted": _(
            "Good news: %(seller)s accepted your claim in dispute %(reference)s. %(money)s"
        ),
        "offer": _(
            "%(seller)s made you an offer in dispute %(reference)s: %(offer)s. Please accept "
            "it, or ask us to step in, by %(deadline)s: %(url)s"
        ),
        "contested": _(
            "%(seller)s contested dispute %(reference)s. You can read their answer and ask "
            "us to step in until %(deadline)s: %(url)s"
        ),
        "offer_accepted": _("You accepted the offer in dispute %(reference)s. %(money)s"),
        "escalated": _(
            "We are now looking into dispute %(reference)s ourselves and will let you know "
            "what we decide: %(url)s"
        ),
        "decided": _(
            "We decided dispute %(reference)s: %(outcome)s. %(money)s You can read our reasons, "
            "and appeal once until %(deadline)s, here: %(url)s"
        ),
        "appealed": _(
            "The decision on dispute %(reference)s was appealed. A colleague who did not make "
            "the decision reviews it now: %(url)s"
        ),
        "appeal_decided": _(
            "We reviewed the appeal on dispute %(reference)s: %(result)s. %(money)s %(url)s"
        ),
        "lapsed": _(
            "Dispute %(reference)s is closed: we did not hear back from you in time. If the "
            "problem is not solved, please contact us."
        ),
        "withdrawn": _("Dispute %(reference)s is withdrawn."),
        "resolved": _("Dispute %(reference)s is resolved. %(money)s"),
        "frozen": _(
            "Dispute %(reference)s is on hold while your payment provider handles the "
            "chargeback on this order. We will continue once it is over."
        ),
        "unfrozen": _(
            "The chargeback on order %(order)s is over, and dispute %(reference)s continues: "
            "%(url)s"
        ),
        "message": _("There is a new message for you on dispute %(reference)s: %(url)s"),
        "money_refused": _(
            "We are taking another look at dispute %(reference)s before any money moves. We "
            "will let you know what we decide."
        ),
    }
    return texts[kind]


def tell_buyer(dispute: Dispute, kind: str, *, macro_key: str = "", movements=(), **extra) -> None:
    """Answer the buyer on the dispute's case (nothing when the case was closed)."""
    case = dispute.case
    if case.status == Status.CLOSED:
        return
    actor = Actor.system(SENDER)
    key = macro_key or f"dispute-{kind.replace('_', '-')}"
    macro = (
        Macro.objects.filter(workspace_id=dispute.workspace_id, key=key, is_active=True)
        .select_related("current")
        .first()
    )
    if macro is not None and macro.current is not None:
        reply_with_macro(case=case, version=macro.current, actor=actor)
        return
    language = _language(dispute, dispute.buyer)
    with translation.override(language):
        values = _values(
            dispute,
            language,
            {
                "url": buyer_url(dispute),
                "money": money_sentence(movements, language, to_buyer=True),
                **extra,
            },
        )
        body = " ".join((_buyer_text(kind) % values).split())
    reply_to_customer(case=case, actor=actor, body=body)


# --- the seller -----------------------------------------------------------------------


def _seller_text(kind: str) -> tuple[str, str]:
    texts = {
        "opened": (
            _("Dispute %(reference)s about order %(order)s: please respond by %(deadline)s"),
            _(
                "%(buyer)s opened dispute %(reference)s about order %(order)s "
                "(%(reason)s, %(amount)s).\n\n%(description)s\n\nPlease respond by "
                "%(deadline)s: accept the claim, make an offer, or contest it with evidence. "
                "If you do not respond in time, %(silence)s\n\nRespond here: %(url)s"
            ),
        ),
        "opened_contact": (
            _("A buyer has a problem with order %(order)s"),
            _(
                "%(buyer)s has a problem with order %(order)s (%(reason)s, %(amount)s).\n\n"
                "%(description)s\n\nPlease sort it out with them by %(deadline)s. If that "
                "does not happen, dispute %(reference)s opens and you will be asked to "
                "respond to it. You can accept or make an offer now: %(url)s"
            ),
        ),
        "contact_over": (
            _("Dispute %(reference)s about order %(order)s: please respond by %(deadline)s"),
            _(
                "The contact period for order %(order)s is over and dispute %(reference)s is "
                "open. Please respond by %(deadline)s: %(url)s"
            ),
        ),
        "offer_accepted": (
            _("Your offer in dispute %(reference)s was accepted"),
            _("%(buyer)s accepted your offer in dispute %(reference)s. %(money)s\n\n%(url)s"),
        ),
        "escalated": (
            _("Dispute %(reference)s is now in mediation"),
            _(
                "Dispute %(reference)s about order %(order)s is now in mediation by "
                "%(marketplace)s. You can add messages and evidence here: %(url)s"
            ),
        ),
        "decided": (
            _("Dispute %(reference)s is decided"),
            _(
                "%(marketplace)s decided dispute %(reference)s: %(outcome)s. %(money)s\n\n"
                "You can read the reasons, and appeal once until %(deadline)s, here: %(url)s"
            ),
        ),
        "appealed": (
            _("The decision on dispute %(reference)s was appealed"),
            _(
                "The decision on dispute %(reference)s was appealed. A colleague who did not "
                "make the decision reviews it now: %(url)s"
            ),
        ),
        "appeal_decided": (
            _("The appeal on dispute %(reference)s is decided"),
            _("The appeal on dispute %(reference)s: %(result)s. %(money)s\n\n%(url)s"),
        ),
        "lapsed": (
            _("Dispute %(reference)s is closed"),
            _("Dispute %(reference)s is closed: the buyer did not answer in time."),
        ),
        "withdrawn": (
            _("Dispute %(reference)s is withdrawn"),
            _("%(buyer)s withdrew dispute %(reference)s about order %(order)s."),
        ),
        "resolved": (
            _("Dispute %(reference)s is resolved"),
            _("Dispute %(reference)s about order %(order)s is resolved. %(money)s"),
        ),
        "frozen": (
            _("Dispute %(reference)s is on hold"),
            _(
                "Dispute %(reference)s is on hold while the payment provider handles a "
                "chargeback on order %(order)s. Its deadlines stop until it is over."
            ),
        ),
        "unfrozen": (
            _("Dispute %(reference)s continues"),
            _(
                "The chargeback on order %(order)s is over; dispute %(reference)s "
                "continues: %(url)s"
            ),
        ),
        "money_refused": (
            _("Dispute %(reference)s is back in mediation"),
            _(
                "The money of the decision on dispute %(reference)s was not approved, so "
                "%(marketplace)s is taking another look before anything moves. You can add "
                "messages and evidence here: %(url)s"
            ),
        ),
        "message": (
            _("A new message on dispute %(reference)s"),
            _("There is a new message for you on dispute %(reference)s: %(url)s"),
        ),
    }
    return texts[kind]


def tell_seller(
    dispute: Dispute, kind: str, *, decides_for_buyer: bool = False, movements=(), **extra
) -> None:
    """Email the seller from the dispute's case (nothing without a seller or address)."""
    seller = dispute.seller
    if seller is None or not seller.email or dispute.case.status == Status.CLOSED:
        return
    language = _language(dispute, seller)
    with translation.override(language):
        silence = (
            _("the dispute is decided for the buyer.")
            if decides_for_buyer
            else _("the dispute goes to the platform to decide.")
        )
        values = _values(
            dispute,
            language,
            {
                "url": seller_url(dispute),
                "money": money_sentence(movements, language, to_buyer=False),
                "reason": dispute.get_reason_display(),
                "description": dispute.description,
                "silence": silence,
                **extra,
            },
        )
        subject, body = _seller_text(kind)
        subject, body = subject % values, body % values
    write_to_third_party(
        case=dispute.case,
        party=seller,
        subject=subject,
        body=body,
        actor=Actor.system(SENDER),
        meta={"dispute": dispute.reference},
    )


def money_sentence(movements, language: str, *, to_buyer: bool) -> str:
    """'€ 40,00 is refunded to you.' for what a step moved, in the reader's words."""
    parts = []
    with translation.override(language):
        for movement in movements:
            amount = money(movement.amount, movement.currency, language)
            waiting = movement.status == "awaiting_approval"
            if movement.kind == "refund":
                text = (
                    _("A refund of %(amount)s waits for approval by the team.")
                    if waiting
                    else _("%(amount)s is refunded to you.")
                    if to_buyer
                    else _("%(amount)s is refunded to the buyer.")
                )
            elif movement.kind == "credit":
                text = (
                    _("A credit of %(amount)s waits for approval by the team.")
                    if waiting
                    else _("You receive %(amount)s in store credit.")
                    if to_buyer
                    else _("The buyer receives %(amount)s in store credit.")
                )
            elif movement.kind == "rebooking":
                text = (
                    _("A new booking of %(amount)s waits for approval by the team.")
                    if waiting
                    else _("A new booking of %(amount)s is paid for you.")
                    if to_buyer
                    else _("A new booking of %(amount)s is paid for the buyer.")
                )
            else:
                continue
            parts.append(text % {"amount": amount})
    return " ".join(parts)
