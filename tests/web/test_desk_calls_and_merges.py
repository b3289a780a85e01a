"""From the case page an agent logs a call, and merges the requester with the same person
seen on another channel (and can undo it)."""

import pytest

from ombuds.conversations.models import Message, MessageKind
from ombuds.intake.identity import Identity, party_for
from ombuds.intake.models import PartyMerge
from tests import builders


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def case(workspace, buyer):
    return builders.case(workspace, requester=buyer, subject="Tickets not transferred")


def url(case, action):
    return f"/w/{case.workspace.slug}/cases/{case.reference}/{action}/"


def test_an_agent_logs_a_call_and_sees_it_on_the_case(signed_in, case):
    response = signed_in.post(
        url(case, "call"),
        {
            "phone": "+31 6 1234 5678",
            "direction": "outbound",
            "outcome": "answered",
            "minutes": "3",
            "seconds": "5",
            "notes": "Seller promised the transfer <b>tonight</b>.",
        },
    )
    assert response.status_code == 302
    call = Message.objects.get(case=case, kind=MessageKind.CALL)
    assert call.meta["call"]["duration_seconds"] == 185

    page = signed_in.get(url(case, "")[:-1]).content.decode()
    assert "3:05" in page
    assert "&lt;b&gt;tonight&lt;/b&gt;" in page
    assert "<b>tonight</b>" not in page


def test_a_call_with_a_bad_number_is_refused_and_nothing_is_written(signed_in, case):
    response = signed_in.post(
        url(case, "call"),
        {"phone": "not a number", "direction": "inbound", "outcome": "answered",
         "minutes": "1", "notes": "x"},
    )  # fmt: skip
    assert response.status_code == 422
    assert not Message.objects.filter(kind=MessageKind.CALL).exists()


def test_merging_and_undoing_from_the_case_page(signed_in, workspace, case):
    whatsapp = party_for(workspace=workspace, identity=Identity.phone("+31699999999"))
    builders.case(workspace, requester=whatsapp, subject="Via WhatsApp", channel="whatsapp")

    response = signed_in.post(url(case, "merge"), {"identifier": "+31 6 9999 9999"})
    assert response.status_code == 302
    record = PartyMerge.objects.get()
    assert record.kept_id == case.requester_id
    page = signed_in.get(url(case, "")[:-1]).content.decode()
    assert "Via WhatsApp" in page  # the other case now shows among the requester's cases

    response = signed_in.post(url(case, "unmerge"), {"merge": record.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.undone_at is not None


def test_merging_with_an_unknown_identifier_says_so(signed_in, case):
    response = signed_in.post(url(case, "merge"), {"identifier": "nobody@example.com"})
    assert response.status_code == 404
    assert not PartyMerge.objects.exists()


def test_a_read_only_member_cannot_log_calls_or_merge(client, workspace, case):
    viewer = builders.member(workspace, "viewer@resale.test", role="read_only")
    client.force_login(viewer)
    assert client.post(url(case, "merge"), {"identifier": "x@example.com"}).status_code == 403
    assert (
        client.post(
            url(case, "call"),
            {"phone": "+31612345678", "direction": "inbound", "outcome": "answered",
             "minutes": "1", "notes": "x"},
        ).status_code
        == 403
    )  # fmt: skip


def test_the_call_form_speaks_dutch(signed_in, case):
    from django.conf import settings

    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = signed_in.get(url(case, "")[:-1]).content.decode()
    assert "Gesprek vastleggen" in page
    assert "Dezelfde persoon als…" in page
