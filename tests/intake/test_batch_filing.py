"""Filing a batch of stored emails comes out exactly as filing them one at a time: the
same cases, messages, parties, timeline events and rule effects."""

from ombuds.automation.rules.services import create_trigger
from ombuds.conversations.models import Attachment, Case, CaseEvent, Message
from ombuds.intake.email.read import external_id_of
from ombuds.intake.inbound import accept, process_inbound, process_pending
from ombuds.intake.models import InboundMessage, InboundStatus
from ombuds.marketplace.models import Party
from ombuds.sla.models import SlaClock
from ombuds.sla.services import PolicyTerms, create_policy
from tests.intake.mail_corpus import generate

EMAILS = 160


def configure(workspace):
    create_policy(
        workspace=workspace,
        terms=PolicyTerms(name="Email", first_response_minutes=60, resolution_minutes=600),
    )
    create_trigger(
        workspace=workspace,
        name="Dutch",
        events=["case.created"],
        conditions=[{"field": "case.language", "op": "is", "value": "nl"}],
        actions=[{"type": "add_tags", "value": "dutch"}],
    )
    create_trigger(
        workspace=workspace,
        name="Again",
        events=["message.received"],
        conditions=[],
        actions=[{"type": "set_priority", "value": "high"}],
    )


def store(workspace, emails):
    return [
        accept(
            workspace=workspace,
            channel="email",
            raw=e.raw,
            external_id=external_id_of(e.raw),
            wake=False,
        )[0]
        for e in emails
    ]


def outcome(workspace):
    """What filing left behind, in terms that do not depend on row ids."""
    cases = {
        c.pk: c.number
        for c in Case.objects.filter(workspace=workspace).only("pk", "number").order_by("pk")
    }
    return {
        "cases": list(
            Case.objects.filter(workspace=workspace)
            .order_by("number")
            .values_list("number", "subject", "status", "priority", "language", "requester__email")
        ),
        "tags": sorted(
            (c.number, t.name)
            for c in Case.objects.filter(workspace=workspace).prefetch_related("tags")
            for t in c.tags.all()
        ),
        "messages": [
            (cases[case_id], *rest)
            for case_id, *rest in Message.objects.filter(workspace=workspace)
            .order_by("pk")
            .values_list(
                "case_id",
                "body_text",
                "body_html",
                "meta",
                "external_id",
                "language",
                "author_party__email",
                "reply_to__external_id",
            )
        ],
        "attachments": sorted(
            Attachment.objects.filter(workspace=workspace).values_list(
                "message__external_id", "filename", "content_type", "size", "sha256"
            )
        ),
        "events": [
            (cases[case_id], kind, label)
            for case_id, kind, label in CaseEvent.objects.filter(workspace=workspace)
            .order_by("pk")
            .values_list("case_id", "kind", "actor_label")
        ],
        "clocks": sorted(
            (cases[case_id], metric, state)
            for case_id, metric, state in SlaClock.objects.filter(workspace=workspace).values_list(
                "case_id", "metric", "state"
            )
        ),
        "parties": sorted(
            Party.objects.filter(workspace=workspace).values_list("email", "name", "language")
        ),
        "rows": list(
            InboundMessage.objects.filter(workspace=workspace)
            .order_by("pk")
            .values_list("status", "outcome", "attempts", "case__number")
        ),
    }


def test_a_batch_files_exactly_as_one_email_at_a_time(workspace, other_workspace):
    emails = generate(EMAILS, seed=11)
    assert sum(1 for e in emails if e.answers) > 20  # replies, many within one batch
    for ws in (workspace, other_workspace):
        configure(ws)

    for row in store(workspace, emails):
        process_inbound(row.pk)
    store(other_workspace, emails)
    assert process_pending() == EMAILS  # batches of 50

    one_by_one, batched = outcome(workspace), outcome(other_workspace)
    assert batched["rows"] == one_by_one["rows"]
    assert {status for status, *_ in batched["rows"]} == {InboundStatus.PROCESSED}
    for key in ("cases", "tags", "messages", "attachments", "events", "clocks", "parties"):
        assert batched[key] == one_by_one[key], key
    assert len(batched["parties"]) < EMAILS  # senders who wrote twice are one party


def test_a_failing_email_in_a_batch_leaves_its_neighbours_filed(workspace, monkeypatch):
    from ombuds.intake import threads

    emails = generate(12, seed=5)
    rows = store(workspace, emails)
    bad = next(
        row
        for row, e in zip(rows, emails, strict=True)
        if e.answers is None and row.pk > rows[3].pk
    )
    real = threads.open_case_with_message

    def failing(**kwargs):
        if kwargs.get("external_id") == bad.external_id:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(threads, "open_case_with_message", failing)
    assert process_pending() == 12
    statuses = dict(InboundMessage.objects.values_list("pk", "status"))
    assert statuses.pop(bad.pk) == InboundStatus.PENDING
    assert set(statuses.values()) == {InboundStatus.PROCESSED}
    # Case numbers stay gapless: the failed one's number was given back.
    numbers = sorted(Case.objects.filter(workspace=workspace).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
