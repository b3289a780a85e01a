"""Sign-in links for buyers: no password, just proof that they read the mailbox we know.

A link is signed with the secret key and carries the workspace, the party and a keyed
fingerprint of the address it was sent to. It dies when it is older than
OMBUDS_MAGIC_LINK_MAX_AGE, when it is used on another workspace's help center, or when the
address no longer belongs to that party (an erased or merged identity)."""

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
from ombuds.marketplace.models import IdentityKind, PartyIdentity

from . import throttle

log = logging.getLogger(__name__)

# A salt of its own: no other signed value of the product can be replayed as a login.
SALT = "ombuds.web.portal.login"


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


def make_token(identity: PartyIdentity) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"w": identity.workspace_id, "p": identity.party_id, "e": _fingerprint(identity.value)}
    )


def read_token(token: str, *, workspace: Workspace) -> PartyIdentity:
    """The email identity a link signs in, or LinkRefused."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(
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
    for identity in identities:
        if hmac.compare_digest(_fingerprint(identity.value), str(payload["e"])):
            return identity
    raise LinkRefused(LinkRefused.INVALID)


def email_identity(*, workspace: Workspace, email: str) -> PartyIdentity | None:
    return (
        PartyIdentity.objects.select_related("party")
        .filter(workspace=workspace, kind=IdentityKind.EMAIL, value=email.strip().lower())
        .first()
    )


@dataclass(frozen=True)
class LinkEmail:
    subject: str
    body: str


def _compose(workspace: Workspace, identity: PartyIdentity, case_reference: str) -> LinkEmail:
    path = reverse(
        "web:portal_login", kwargs={"slug": workspace.slug, "token": make_token(identity)}
    )
    if case_reference:
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
    subject = render_to_string("web/portal/email/sign_in_subject.txt", context)
    return LinkEmail(
        subject=" ".join(subject.split()),
        body=render_to_string("web/portal/email/sign_in_body.txt", context),
    )


def send_sign_in_link(
    *, workspace: Workspace, identity: PartyIdentity, case_reference: str = ""
) -> bool:
    """Mail the buyer a link into their portal. A mail server that is down must not
    undo a request the buyer already made, so a failure is logged and reported back."""
    email = _compose(workspace, identity, case_reference)
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


def offer_sign_in_link(*, workspace: Workspace, email: str, case_reference: str = "") -> None:
    """Mail a sign-in link if the address belongs to someone in this workspace; say nothing
    either way, so no form can be used to learn who is a customer. A few links per mailbox
    per hour at most, so nobody can use us to flood a stranger's inbox."""
    identity = email_identity(workspace=workspace, email=email)
    if identity is None:
        return
    if not throttle.allow(
        "link-email", f"{workspace.pk}:{identity.value}", limit=throttle.LINKS_PER_EMAIL
    ):
        return
    send_sign_in_link(workspace=workspace, identity=identity, case_reference=case_reference)
