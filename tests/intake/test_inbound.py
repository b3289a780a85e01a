"""Every payload is stored before it is processed, processed once, and a failure leaves
it waiting rather than lost."""

import json

import pytest

from ombuds.conversations.models import Message, Status
from ombuds.conversations.services import update_case
from ombuds.intake import incoming
from ombuds.intake.identity import Identity
from ombuds.intake.inbound import accept, accept_many, process_inbound, process_pending
from ombuds.intake.incoming import Incoming, Skip
from ombuds.intake.models import InboundMessage, InboundStatus

CHANNEL = "api"  # a channel without a reader of its own; the tests give it one


def read_json(inbound):
    payload = json.loads(bytes(inbound.raw))
    if payload.get("explode"):
        raise RuntimeError("the reader crashed")
    if payload.get("skip"):
        return Skip(payload["skip"])
    return Incoming(
        channel=CHANNEL,
        sender=Identity.email(payload["from"], payload.get("name", "")),
        text=payload["text"],
        subject=payload.get("subject", ""),
        external_id=payload.get("id", ""),
        answers=tuple(payload.get("answers", ())),
        case_reference=payload.get("reference", ""),
        continues_conversation=payload.get("continues", False),
    )


@pytest.fixture(autouse=True)
def json_reader():
    before = incoming.reader_for(CHANNEL)
    incoming.register_reader(CHANNEL, read_json)
    yield
    incoming._READERS.pop(CHANNEL, None)
    if before is not None:
        incoming.register_reader(CHANNEL, before)


def send(workspace, **payload):
    raw = json.dumps(payload).encode()
    inbound, _created = accept(
        workspace=workspace,
        channel=CHANNEL,
        raw=raw,
        external_id=payload.get("id", ""),
        content_type="application/json",
    )
    process_inbound(inbound.pk)
    inbound.refresh_from_db()
    return inbound


def test_a_payload_delivered_twice_is_stored_once_and_filed_once(workspace):
    first = send(workspace, id="m-1", **{"from": "ann@example.com"}, text="Where are my tickets?")
    again = send(workspace, id="m-1", **{"from": "ann@example.com"}, text="Where are my tickets?")

    assert first.pk == again.pk
    assert InboundMessage.objects.filter(workspace=workspace).count() == 1
    assert first.status == InboundStatus.PROCESSED
    assert Message.objects.filter(case__workspace=workspace).count() == 1
    assert first.message.case.requester.email == "ann@example.com"


def test_a_payload_without_an_id_is_recognised_by_its_bytes(workspace):
    a, created_a = accept(workspace=workspace, channel=CHANNEL, raw=b'{"text": "x"}')
    b, created_b = accept(workspace=workspace, channel=CHANNEL, raw=b'{"text": "x"}')
    assert (created_a, created_b) == (True, False)
    assert a.pk == b.pk and a.external_id.startswith("sha256:")


def test_a_crash_while_processing_leaves_the_payload_pending_and_nothing_half_written(
    workspace,
):
    inbound = send(workspace, id="m-2", explode=True, **{"from": "b@example.com"}, text="hi")

    assert inbound.status == InboundStatus.PENDING
    assert inbound.attempts == 1
    assert "crashed" in inbound.error
    assert not Message.objects.filter(workspace=workspace).exists()


def test_the_sweep_files_what_is_pending_and_does_not_spin_on_a_failing_payload(workspace):
    ok = accept(
        workspace=workspace,
        channel=CHANNEL,
        raw=json.dumps({"from": "c@example.com", "text": "Parcel damaged"}).encode(),
    )[0]
    bad = accept(
        workspace=workspace,
        channel=CHANNEL,
        raw=json.dumps({"explode": True, "from": "d@example.com", "text": "x"}).encode(),
    )[0]

    assert process_pending() == 2
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.status == InboundStatus.PROCESSED
    assert (bad.status, bad.attempts) == (InboundStatus.PENDING, 1)


def test_a_payload_that_keeps_failing_is_set_aside_with_its_reason(workspace):
    inbound = accept(
        workspace=workspace,
        channel=CHANNEL,
        raw=json.dumps({"explode": True, "from": "e@example.com", "text": "x"}).encode(),
    )[0]
    for _ in range(10):
        process_pending()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.REJECTED
    assert inbound.outcome == "failed"
    assert bytes(inbound.raw)  # still there, for people to look at


def test_what_is_not_a_message_is_ignored_with_the_reason(workspace):
    inbound = send(workspace, skip="auto_reply", **{"from": "f@example.com"}, text="away")
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "auto_reply")
    assert not Message.objects.filter(workspace=workspace).exists()


def test_too_large_a_payload_is_refused_before_it_is_stored(workspace, settings):
    settings.OMBUDS_MAX_INBOUND_BYTES = 100
    from ombuds.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        accept(workspace=workspace, channel=CHANNEL, raw=b"x" * 101)
    assert refused.value.status == 413
    assert not InboundMessage.objects.exists()


def test_a_message_without_text_still_reaches_a_case(workspace):
    inbound = send(workspace, **{"from": "g@example.com"}, text="   ")
    # With neither text nor subject the case gets a placeholder rather than being lost.
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.message.body_text == "(no text)"


def test_payloads_of_two_workspaces_with_the_same_id_stay_apart(workspace, other_workspace):
    mine = send(workspace, id="same", **{"from": "h@example.com"}, text="Mine")
    theirs = send(other_workspace, id="same", **{"from": "h@example.com"}, text="Theirs")
    assert mine.pk != theirs.pk
    assert mine.message.case.workspace_id == workspace.pk
    assert theirs.message.case.workspace_id == other_workspace.pk
    assert mine.message.case.requester_id != theirs.message.case.requester_id


def test_a_reply_that_names_an_earlier_message_joins_its_case(workspace):
    first = send(workspace, id="<a@x>", **{"from": "i@example.com"}, text="Seat numbers?")
    reply = send(
        workspace, id="<b@x>", answers=["<a@x>"], **{"from": "i@example.com"}, text="Any news?"
    )
    assert reply.message.case_id == first.message.case_id
    assert reply.message.reply_to_id == first.message.pk


def test_a_quoted_reference_counts_only_for_someone_in_the_case(workspace):
    first = send(workspace, **{"from": "j@example.com"}, text="Refund please")
    reference = first.message.case.reference

    own = send(workspace, reference=reference, **{"from": "j@example.com"}, text="Again")
    stranger = send(workspace, reference=reference, **{"from": "k@example.com"}, text="Me too")

    assert own.message.case_id == first.message.case_id
    assert stranger.message.case_id != first.message.case_id


def test_a_new_message_after_the_case_closed_opens_a_follow_up(workspace, agent):
    from ombuds.conversations.events import Actor

    first = send(workspace, id="<c@x>", **{"from": "l@example.com"}, text="Hotel refused me")
    case = first.message.case
    update_case(case=case, actor=Actor(user=agent), status=Status.SOLVED)
    update_case(case=case, actor=Actor(user=agent), status=Status.CLOSED)

    later = send(
        workspace, id="<d@x>", answers=["<c@x>"], **{"from": "l@example.com"}, text="Still?"
    )
    assert later.message.case_id != case.pk
    assert later.message.meta["follow_up_of"] == case.reference


def test_messaging_channels_continue_the_open_case_email_subjects_do_not(workspace):
    chat_a = send(workspace, continues=True, **{"from": "m@example.com"}, text="Hi there")
    chat_b = send(workspace, continues=True, **{"from": "m@example.com"}, text="Still here")
    mail = send(workspace, subject="New topic", **{"from": "m@example.com"}, text="Other")

    assert chat_a.message.case_id == chat_b.message.case_id
    assert mail.message.case_id != chat_a.message.case_id


def test_the_language_is_detected_and_kept_on_message_and_case(workspace):
    inbound = send(
        workspace,
        **{"from": "n@example.com"},
        text="Hallo, ik heb mijn kaartjes voor het concert nog steeds niet ontvangen.",
    )
    assert inbound.message.language == "nl"
    assert inbound.message.case.language == "nl"
    assert inbound.message.case.requester.language == "nl"


def test_many_payloads_are_stored_at_once_each_once(workspace, settings):
    settings.OMBUDS_MAX_INBOUND_BYTES = 100
    stored_before, _ = accept(workspace=workspace, channel=CHANNEL, raw=b"{}", external_id="old")
    results = accept_many(
        workspace=workspace,
        channel=CHANNEL,
        payloads=[
            (b'{"n": 1}', "a"),
            (b"x" * 101, "big"),
            (b'{"n": 1}', "a"),  # the same payload again in one call
            (b"{}", "old"),  # stored before
            (b'{"n": 2}', ""),  # no id: its bytes are its id
        ],
        sources=["one", "two", "three", "four", "five"],
    )

    assert [r.created for r in results] == [True, False, False, False, True]
    assert results[1].inbound is None and results[1].refusal.code == "payload_too_large"
    assert results[0].inbound.pk == results[2].inbound.pk
    assert results[3].inbound.pk == stored_before.pk
    rows = InboundMessage.objects.filter(workspace=workspace).order_by("pk")
    assert [(r.external_id, r.source, bytes(r.raw)) for r in rows] == [
        ("old", "", b"{}"),
        ("a", "one", b'{"n": 1}'),
        (results[4].inbound.external_id, "five", b'{"n": 2}'),
    ]
    assert results[4].inbound.external_id.startswith("sha256:")
    assert {r.status for r in rows} == {InboundStatus.PENDING}


def test_payloads_stored_at_once_by_someone_else_meanwhile_are_found(workspace, monkeypatch):
    """Two fetchers racing: the other stored one of ours between our look and our INSERT."""
    from ombuds.intake import inbound

    real_filter = InboundMessage.objects.filter
    raced = []

    def look_then_lose_the_race(*args, **kwargs):
        found = real_filter(*args, **kwargs)
        if "external_id__in" in kwargs and not raced:
            raced.append(accept(workspace=workspace, channel=CHANNEL, raw=b"{}", external_id="b"))
        return found

    monkeypatch.setattr(inbound.InboundMessage.objects, "filter", look_then_lose_the_race)
    results = accept_many(
        workspace=workspace, channel=CHANNEL, payloads=[(b"{}", "a"), (b"{}", "b")]
    )
    monkeypatch.undo()

    assert [r.created for r in results] == [True, False]
    assert results[1].inbound.pk == raced[0][0].pk
    assert InboundMessage.objects.filter(workspace=workspace).count() == 2
