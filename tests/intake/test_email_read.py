"""A plain customer email becomes a case, and the answer to our reply joins it."""

from ombuds.intake.email.read import external_id_of
from ombuds.intake.inbound import accept, process_inbound
from ombuds.intake.models import InboundStatus

FIRST = b"""\
From: Ann Buyer <ann@example.com>
To: support@resale.test
Subject: Tickets for Saturday
Message-ID: <first@example.com>
Content-Type: text/plain; charset=utf-8

Hello, my tickets for Saturday have not been transferred yet.
"""

REPLY = b"""\
From: ann@example.com
To: support@resale.test
Subject: Re: Tickets for Saturday
Message-ID: <second@example.com>
In-Reply-To: <first@example.com>
References: <first@example.com>
Content-Type: text/plain; charset=utf-8

Any news?
"""


def ingest(workspace, raw):
    inbound, _ = accept(
        workspace=workspace, channel="email", raw=raw, external_id=external_id_of(raw)
    )
    process_inbound(inbound.pk)
    inbound.refresh_from_db()
    return inbound


def test_an_email_opens_a_case_and_its_follow_up_joins_it(workspace):
    first = ingest(workspace, FIRST)
    reply = ingest(workspace, REPLY)

    assert first.status == InboundStatus.PROCESSED
    case = first.message.case
    assert case.subject == "Tickets for Saturday"
    assert case.requester.name == "Ann Buyer"
    assert case.channel == "email"
    assert reply.message.case_id == case.pk
    assert reply.message.external_id == "<second@example.com>"
