"""Which case a message belongs to, and filing it there (or on a new case).

The clues, strongest first: the case the adapter already knows (a chat session); the
messages it answers (email Message-IDs, platform reply ids) — ours or the customer's
earlier ones; a case reference the sender quoted, honoured only when the sender takes
part in that case, so a guessed number cannot slip a message into a stranger's case; and
on messaging channels the sender's case still open on that channel. A closed case takes
no more messages: the next one opens a new case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, transaction

from ombuds.conversations.events import Actor
from ombuds.conversations.models import (
    ACTIVE_STATUSES,
    Case,
    CaseParticipant,
    Message,
    ParticipantRole,
    Priority,
    Status,
)
from ombuds.conversations.services import open_case_with_message, receive_customer_message
from ombuds.core import batch
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Party, PartyKind

from .identity import party_for
from .incoming import Incoming
from .language import detect_language

REFERENCE = re.compile(r"\b([A-Z][A-Z0-9]{1,7})-(\d{1,12})\b")
# The newest of a message's thread ids that are looked for (References can be long).
MAX_ANSWERS = 20
# Inside a filing batch (core.batch) the messages that the batch's payloads answer are
# looked up in one query before the first is filed (`look_up_answered`), and what the
# batch files is added as it goes: (workspace, external id) -> [(created at, message id,
# case id)], an empty list for an id no message has. Dropped with the rest of the batch
# when a row is rolled back.
_ANSWERED = "intake.answered"


def reference_in(workspace: Workspace, text: str) -> str:
    """The first of this workspace's case references in `text` (a subject), or ""."""
    for prefix, number in REFERENCE.findall(text or ""):
        if prefix == workspace.case_prefix:
            return f"{prefix}-{number}"
    return ""


def _takes_part(case: Case, party: Party) -> bool:
    return (
        case.requester_id == party.pk
        or CaseParticipant.objects.filter(case=case, party=party).exists()
    )


def look_up_answered(*, workspace: Workspace, external_ids: Iterable[str]) -> set[int]:
    """Look up at once the messages these ids name, for `find_case` (in a filing batch;
    outside one this does nothing); the ids of their cases."""
    known = batch.kept(_ANSWERED)
    if known is None:
        return set()
    cases = set()
    wanted = sorted({i for i in external_ids if i and (workspace.pk, i) not in known})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for external_id in chunk:
            known[(workspace.pk, external_id)] = []
        rows = Message.objects.filter(workspace=workspace, external_id__in=chunk).values_list(
            "external_id", "created_at", "pk", "case_id"
        )
        for external_id, created_at, pk, case_id in rows:
            known[(workspace.pk, external_id)].append((created_at, pk, case_id))
            cases.add(case_id)
    return cases


def _filed(message: Message) -> None:
    """A message filed in this batch can be answered by a later payload of the batch."""
    known = batch.kept(_ANSWERED)
    if known is not None and message.external_id:
        key = (message.workspace_id, message.external_id)
        known.setdefault(key, []).append((message.created_at, message.pk, message.case_id))


def _answered(workspace: Workspace, ids: tuple[str, ...]) -> Message | None:
    """The newest message of ours or the customer's among `ids`, with its case."""
    known = batch.kept(_ANSWERED)
    if known and all((workspace.pk, i) in known for i in ids):
        hits = [hit for i in ids for hit in known[(workspace.pk, i)]]
        if not hits:
            return None
        created_at, pk, case_id = max(hits)
        case = _case(workspace, case_id)
        if case is not None:
            # Only what threading needs is known; any other field loads when read.
            answered = Message.from_db(
                DEFAULT_DB_ALIAS,
                ["id", "workspace_id", "case_id", "created_at"],
                [pk, workspace.pk, case_id, created_at],
            )
            answered.case = case
            return answered
    return (
        Message.objects.filter(workspace=workspace, external_id__in=ids)
        .select_related("case")
        .order_by("-created_at", "-pk")
        .first()
    )


def _case(workspace: Workspace, pk: int) -> Case | None:
    """A case by id, read with a statement written once: a third of what building the
    same query takes (asked once per reply in a batch)."""
    meta = Case._meta
    quote = connection.ops.quote_name
    sql = "SELECT * FROM {} WHERE {} = %s AND {} = %s".format(
        quote(meta.db_table), quote(meta.pk.column), quote(meta.get_field("workspace").column)
    )
    return next(iter(Case.objects.raw(sql, [pk, workspace.pk])), None)


def find_case(
    *, workspace: Workspace, incoming: Incoming, party: Party
) -> tuple[Case | None, Message | None]:
    """The case `incoming` continues and the message it answers, or (None, None)."""
    if incoming.case_id is not None:
        case = Case.objects.filter(workspace=workspace, pk=incoming.case_id).first()
        if case is not None:
            return case, None
    if incoming.answers:
        answered = _answered(workspace, incoming.answers[-MAX_ANSWERS:])
        if answered is not None:
            return answered.case, answered
    if incoming.case_reference:
        case = Case.objects.filter(workspace=workspace, reference=incoming.case_reference).first()
        if case is not None and _takes_part(case, party):
            return case, None
    if incoming.continues_conversation:
        case = (
            Case.objects.filter(
                workspace=workspace,
                requester=party,
                channel=incoming.channel,
                status__in=[*ACTIVE_STATUSES, Status.SOLVED],
            )
            .order_by("-updated_at", "-pk")
            .first()
        )
        if case is not None:
            return case, None
    return None, None


# No savepoint of its own: every caller files inside a savepoint of its own (the worker's
# per row) or a transaction of its own, and rolls it back when this raises.
@transaction.atomic(savepoint=False)
def file_incoming(*, workspace: Workspace, incoming: Incoming) -> Message:
    """Put a customer's message on the case it continues, or open a case for it."""
    # Detected before the party is looked up, so a first-time sender is created with
    # their language instead of being updated right after.
    detected = incoming.language or detect_language(incoming.text)
    party = party_for(workspace=workspace, identity=incoming.sender, language=detected)
    language = detected or party.language or workspace.default_language
    if not party.language and language:
        party.language = language
        party.save(update_fields=["language", "updated_at"])
    case, answered = find_case(workspace=workspace, incoming=incoming, party=party)
    text = incoming.text.strip() or incoming.subject.strip() or "(no text)"
    if case is not None and case.status != Status.CLOSED:
        if not _takes_part(case, party):
            role = (
                ParticipantRole.THIRD_PARTY
                if party.kind == PartyKind.THIRD_PARTY
                else ParticipantRole.CC
            )
            CaseParticipant.objects.get_or_create(case=case, party=party, defaults={"role": role})
        message = receive_customer_message(
            case=case,
            party=party,
            body=text,
            channel=incoming.channel,
            files=incoming.files,
            body_html=incoming.html,
            language=language,
            kind=incoming.kind,
            external_id=incoming.external_id,
            reply_to=answered,
            meta=incoming.meta,
            # find_case read it just now, in this transaction.
            case_is_current=True,
        )
        if language and case.language != language and not case.language:
            Case.objects.filter(pk=case.pk).update(language=language)
        _filed(message)
        return message
    meta = dict(incoming.meta)
    if case is not None:
        meta["follow_up_of"] = case.reference
    _, message = open_case_with_message(
        workspace=workspace,
        subject=incoming.subject or _subject_from(text),
        body=text,
        requester=party,
        actor=Actor(party=party),
        channel=incoming.channel,
        language=language,
        files=incoming.files,
        body_html=incoming.html,
        is_public_post=incoming.is_public_post,
        priority=incoming.priority or Priority.NORMAL,
        tags=incoming.tags,
        message_kind=incoming.kind,
        external_id=incoming.external_id,
        meta=meta,
    )
    _filed(message)
    return message


def _subject_from(text: str) -> str:
    first = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return (first[:80] + "…") if len(first) > 80 else (first or "(no subject)")
