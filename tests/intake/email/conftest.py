"""The email tests' scenario: a support workspace whose address is support@resale.test,
an agent, and a thread whose first reply went out under a known Message-ID."""

import pytest

from ombuds.conversations.models import Delivery, Message
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import drain_outbox
from tests import builders

from .mailroom import OUR_ID, SUPPORT, ingest, sample


@pytest.fixture
def mail_workspace(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return builders.workspace("resale", prefix="RES", support_email=SUPPORT)


@pytest.fixture
def mail_agent(mail_workspace):
    return builders.member(mail_workspace, "anna@resale.test", name="Anna Agent")


@pytest.fixture
def thread(mail_workspace, mail_agent):
    """Ann's first email opened RES-1 and our answer went out as OUR_ID."""
    first = ingest(mail_workspace, sample("gmail_first.eml"))
    case = first.message.case
    reply = reply_to_customer(case=case, author=mail_agent, body="Your tickets are on their way.")
    drain_outbox()
    Message.objects.filter(pk=reply.pk).update(external_id=OUR_ID)
    Delivery.objects.filter(message=reply).update(provider_id=OUR_ID)
    reply.refresh_from_db()
    return case, reply
