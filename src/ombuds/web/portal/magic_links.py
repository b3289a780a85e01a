"""Sign-in links for buyers and sellers: no password, just proof that they read the
mailbox we know.

A link is signed with the secret key and carries the workspace, the party and a keyed
fingerprint of the address it was sent to. It dies when it is older than
OMBUDS_MAGIC_LINK_MAX_AGE, when it is used on another workspace's help center, or when the
address no longer belongs to that party (an erased or merged identity).

Each audience signs with a salt of its own: a buyer's link cannot open the seller
portal, nor a seller's the buyer portal, and a seller link is only ever mailed to, and
only ever read for, a party that is a seller."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac

from ombuds.core.models import Workspace
from ombuds.marketplace.models import IdentityKind, PartyIdentity, PartyKind

from . import throttle

log = logging.getLogger(__name__)

# A salt of its own: no other signed value of the product can be replayed as a login.
SALT = "ombuds.web.portal.login"
BUYER = "buyer"
SELLER = "seller"
_SALTS = {BUYER: SALT, SELLER: "ombuds.web.portal.seller-login"}
_LOGIN_URLS = {BUYER: "web:portal_login", SELLER: "web:seller_login"}
_TEMPLATES = {BUYER: "web/portal/email/sign_in", SELLER: "web/portal/email/seller_sign_in"}


class LinkRefused(Exception):
    """The link cannot sign anyone in; `reason` says which page the buyer sees."""

    EXPIRED = "expired"
    INVALID = "invalid"
    OTHER_WORKSPACE = "other_workspace"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _fingerprint(email: str) -> str:
    # Keyed, so the readable payload of a link does not give away a guessable email hash.
    return salted_hmac(f"{SALT}.email", email.lower()).hexdigest()[:24]


def make_token(identity: PartyIdentity, *, audience: str = BUYER) -> str:
    return signing.TimestampSigner(salt=_SALTS[audience]).sign_object(
        {"w": identity.workspace_id, "p": identity.party_id, "e": _fingerprint(identity.value)}
    )


def read_token(token: str, *, workspace: Workspace, audience: str = BUYER) -> PartyIdentity:
    """The email identity a link signs in, or LinkRefused."""
    try:
        payload = signing.TimestampSigner(salt=_SALTS[audience]).unsign_object(
            token, max_age=settings.OMBUDS_MAGIC_LINK_MAX_AGE
        )
    except signing.SignatureExpired:
        raise LinkRefused(LinkRefused.EXPIRED) from None
    except signing.BadSignature:
        raise LinkRefused(LinkRefused.INVALID) from None
    if not isinstance(payload, dict) or not {"w", "p", "e"} <= payload.keys():
        raise LinkRefused(LinkRefused.INVALID)
    if payload["w"] != workspace.pk:
        raise LinkRefused(LinkRefused.OTHER_WORKSPACE)
    identities = PartyIdentity.objects.select_related("party").filter(
        workspace=workspace, party_id=payload["p"], kind=IdentityKind.EMAIL
    )
    if audience == SELLER:
        identities = identities.filter(party__kind=PartyKind.SELLER)
    for identity in identities:
        if hmac.compare_digest(_fingerprint(identity.value), str(payload["e"])):
            return identity
    raise LinkRefused(LinkRefused.INVALID)


def email_identity(
    *, workspace: Workspace, email: str, audience: str = BUYER
) -> PartyIdentity | None:
    query = PartyIdentity.objects.select_related("party").filter(
        workspace=workspace, kind=IdentityKind.EMAIL, value=email.strip().lower()
    )
    if audience == SELLER:
        query = query.filter(party__kind=PartyKind.SELLER)
    return query.first()


@dataclass(frozen=True)
class LinkEmail:
    subject: str
    body: str


def _compose(
    workspace: Workspace,
    identity: PartyIdentity,
    case_reference: str,
    audience: str = BUYER,
    dispute_reference: str = "",
) -> LinkEmail:
    path = reverse(
        _LOGIN_URLS[audience],
        kwargs={"slug": workspace.slug, "token": make_token(identity, audience=audience)},
    )
    if dispute_reference:
        path += f"?dispute={dispute_reference}"
    elif case_reference:
        path += f"?case={case_reference}"
    context = {
        "workspace": workspace,
        "party": identity.party,
        # The public address from settings, never the request's Host header: a forged
        # Host would otherwise mail the buyer a link to someone else's site.
        "url": settings.OMBUDS_PUBLIC_URL + path,
        "hours": max(1, settings.OMBUDS_MAGIC_LINK_MAX_AGE // 3600),
        "case_reference": case_reference,
    }
    template = _TEMPLATES[audience]
    subject = render_to_string(f"{template}_subject.txt", context)
    return LinkEmail(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}_body.txt", context),
    )


def send_sign_in_link(
    *,
    workspace: Workspace,
    identity: PartyIdentity,
    case_reference: str = "",
    audience: str = BUYER,
    dispute_reference: str = "",
) -> bool:
    """Mail the party a link into their portal. A mail server that is down must not
    undo a request the party already made, so a failure is logged and reported back."""
    email = _compose(workspace, identity, case_reference, audience, dispute_reference)
    sender = workspace.support_email or settings.DEFAULT_FROM_EMAIL
    try:
        send_mail(
            email.subject,
            email.body,
            f"{workspace.name} <{sender}>",
            [identity.value],
            fail_silently=False,
        )
    except Exception:
        log.exception(
            "portal sign-in link not sent",
            extra={"workspace": workspace.slug, "party": identity.party_id},
        )
        return False
    return True


def offer_sign_in_link(
    *,
    workspace: Workspace,
    email: str,
    case_reference: str = "",
    audience: str = BUYER,
    dispute_reference: str = "",
) -> None:
    """Mail a sign-in link if the address belongs to someone in this workspace (to a
    seller, for the seller portal); say nothing either way, so no form can be used to
    learn who is a customer or a seller. A few links per mailbox per hour at most, so
    nobody can use us to flood a stranger's inbox."""
    identity = email_identity(workspace=workspace, email=email, audience=audience)
    if identity is None:
        return
    if not throttle.allow(
        "link-email", f"{workspace.pk}:{identity.value}", limit=throttle.LINKS_PER_EMAIL
    ):
        return
    send_sign_in_link(
        workspace=workspace,
        identity=identity,
        case_reference=case_reference,
        audience=audience,
        dispute_reference=dispute_reference,
    )
