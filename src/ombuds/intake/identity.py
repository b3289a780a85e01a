"""Who wrote: one party per person across channels.

Every channel names its sender by something: an email address, a phone number, a
platform's user id. Each is normalised (lower-case email, E.164 phone,
`platform:id` handle) and looked up as a `PartyIdentity`; an unknown one becomes a new
prospect. When the same person shows up twice (an email here, a WhatsApp number there) an
agent merges the two parties and their histories join; the merge remembers what it moved
so it can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseParticipant
from ombuds.core import batch
from ombuds.core.errors import ApplicationError, Conflict
from ombuds.core.models import Workspace
from ombuds.marketplace.models import IdentityKind, Party, PartyIdentity
from ombuds.marketplace.services import (
    find_or_create_party,
    known_party,
    normalize_email,
    normalize_phone,
    surviving_party,
)

from .models import ChatSession, PartyMerge

# Copied onto the kept party when it has none of its own.
_FILLABLE = ("name", "email", "phone", "language")


@dataclass(frozen=True)
class Identity:
    """A normalised identifier of a sender on some channel."""

    kind: str
    value: str
    name: str = ""

    @classmethod
    def email(cls, address: str, name: str = "") -> Identity:
        return cls(IdentityKind.EMAIL, normalize_email(address), name)

    @classmethod
    def phone(cls, number: str, name: str = "", *, region: str | None = None) -> Identity:
        return cls(IdentityKind.PHONE, normalize_phone(number, region=region), name)

    @classmethod
    def handle(cls, platform: str, user_id: str, name: str = "") -> Identity:
        user_id = str(user_id).strip()
        if not user_id:
            raise ApplicationError("invalid_handle", "A sender without an id.", status=422)
        return cls(IdentityKind.HANDLE, f"{platform}:{user_id}"[:254], name)


# Inside a filing batch (core.batch) the parties of the batch's senders are looked up in
# one query before the first is filed, and the parties found or created are kept by
# (workspace, kind, value) for the rest of the batch; None for an identifier that
# nobody had when the batch looked.
_PARTIES = "intake.parties"


def party_for(*, workspace: Workspace, identity: Identity, language: str = "") -> Party:
    """The party behind an identifier; a new prospect the first time it is seen."""
    parties = batch.kept(_PARTIES)
    key = (workspace.pk, identity.kind, identity.value)
    party = parties.get(key) if parties is not None else None
    if party is None:
        party = find_or_create_party(
            workspace=workspace,
            kind=identity.kind,
            value=identity.value,
            name=identity.name,
            language=language,
            # The batch looked for it before its first row and nobody has used it since.
            unknown=parties is not None and key in parties,
        )
        if parties is not None:
            parties[key] = party
        return party
    return known_party(party, name=identity.name)


def look_up_parties(*, workspace: Workspace, identities: list[Identity]) -> None:
    """Look up the known parties behind these identifiers in one query per kind and keep
    them for `party_for` (in a filing batch; outside one this does nothing)."""
    parties = batch.kept(_PARTIES)
    if parties is None:
        return
    wanted: dict[str, set[str]] = {}
    for identity in identities:
        if (workspace.pk, identity.kind, identity.value) not in parties:
            wanted.setdefault(identity.kind, set()).add(identity.value)
    for kind, values in wanted.items():
        found = PartyIdentity.objects.select_related("party").filter(
            workspace=workspace, kind=kind, value__in=sorted(values)
        )
        for value in values:
            parties[(workspace.pk, kind, value)] = None
        for row in found:
            parties[(workspace.pk, kind, row.value)] = surviving_party(row.party)


def _drop_stale_party(sender, instance, **kwargs) -> None:
    """Another copy of a kept party was saved (or it was deleted): look it up afresh."""
    parties = batch.kept(_PARTIES)
    if not parties:
        return
    deleted = kwargs.get("signal") is post_delete
    for key, party in list(parties.items()):
        if party is not None and party.pk == instance.pk and (deleted or party is not instance):
            del parties[key]


post_save.connect(_drop_stale_party, sender=Party, dispatch_uid="intake.parties.save")
post_delete.connect(_drop_stale_party, sender=Party, dispatch_uid="intake.parties.delete")


def _check_mergeable(workspace: Workspace, keep: Party, merge: Party) -> None:
    if keep.workspace_id != workspace.pk or merge.workspace_id != workspace.pk:
        raise ApplicationError("unknown_party", "No such party in this workspace.", status=404)
    if keep.pk == merge.pk:
        raise ApplicationError("same_party", "A party cannot be merged into itself.", status=422)
    if keep.merged_into_id or merge.merged_into_id:
        raise Conflict("already_merged", "One of these parties was already merged into another.")
    if keep.kind != merge.kind:
        raise ApplicationError(
            "different_kinds",
            "Only parties of the same kind can be merged (a buyer with a buyer).",
            details={"keep": keep.kind, "merge": merge.kind},
            status=422,
        )
    if keep.external_id and merge.external_id:
        raise ApplicationError(
            "both_known_to_marketplace",
            "Both parties are accounts of the marketplace; merge them there.",
            status=422,
        )


@transaction.atomic
def merge_parties(*, workspace: Workspace, keep: Party, merge: Party, by: User) -> PartyMerge:
    """Two parties are the same person: `merge`'s identifiers and cases join `keep`."""
    locked = {p.pk: p for p in Party.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
    if len(locked) != 2:
        raise ApplicationError("unknown_party", "No such party in this workspace.", status=404)
    keep, merge = locked[keep.pk], locked[merge.pk]
    _check_mergeable(workspace, keep, merge)

    identities = list(PartyIdentity.objects.filter(party=merge).values_list("pk", flat=True))
    cases = list(Case.objects.filter(requester=merge).values_list("pk", flat=True))
    shared = set(CaseParticipant.objects.filter(party=keep).values_list("case_id", flat=True))
    participations = list(CaseParticipant.objects.filter(party=merge).values("pk", "case_id"))
    moved_participants = [p["pk"] for p in participations if p["case_id"] not in shared]
    # Where both already take part in a case, `merge`'s row goes; its role is kept for undo.
    dropped = list(
        CaseParticipant.objects.filter(party=merge, case_id__in=shared).values("case_id", "role")
    )
    chats = list(ChatSession.objects.filter(party=merge).values_list("pk", flat=True))
    filled = {f: getattr(merge, f) for f in _FILLABLE if not getattr(keep, f) and getattr(merge, f)}

    PartyIdentity.objects.filter(pk__in=identities).update(party=keep)
    Case.objects.filter(pk__in=cases).update(requester=keep)
    CaseParticipant.objects.filter(pk__in=moved_participants).update(party=keep)
    CaseParticipant.objects.filter(party=merge, case_id__in=shared).delete()
    ChatSession.objects.filter(pk__in=chats).update(party=keep)
    for field, value in filled.items():
        setattr(keep, field, value)
    keep.save()
    merge.merged_into = keep
    merge.save(update_fields=["merged_into", "updated_at"])

    now = timezone.now()
    record = PartyMerge.objects.create(
        workspace=workspace,
        kept=keep,
        merged=merge,
        merged_by=by,
        moved={
            "identities": identities,
            "cases": cases,
            "participants": moved_participants,
            "dropped_participants": dropped,
            "chats": chats,
            "filled": list(filled),
        },
        created_at=now,
    )
    _tell_cases(workspace, cases, "party.merged", by, keep, merge, record, now)
    return record


@transaction.atomic
def undo_party_merge(*, workspace: Workspace, merge: PartyMerge, by: User) -> PartyMerge:
    """Split a merge again: everything it moved goes back; what came later stays."""
    record = PartyMerge.objects.select_for_update().filter(pk=merge.pk, workspace=workspace).first()
    if record is None:
        raise ApplicationError("merge_not_found", "No such merge.", status=404)
    if record.undone_at is not None:
        raise Conflict("merge_undone", "This merge was already undone.")
    keep = Party.objects.select_for_update().get(pk=record.kept_id)
    merged = Party.objects.select_for_update().get(pk=record.merged_id)
    moved = record.moved
    PartyIdentity.objects.filter(pk__in=moved["identities"], party=keep).update(party=merged)
    Case.objects.filter(pk__in=moved["cases"], requester=keep).update(requester=merged)
    CaseParticipant.objects.filter(pk__in=moved["participants"], party=keep).update(party=merged)
    CaseParticipant.objects.bulk_create(
        [
            CaseParticipant(case_id=row["case_id"], party=merged, role=row["role"])
            for row in moved["dropped_participants"]
        ],
        ignore_conflicts=True,
    )
    ChatSession.objects.filter(pk__in=moved["chats"], party=keep).update(party=merged)
    for field in moved["filled"]:
        if getattr(keep, field) == getattr(merged, field):
            setattr(keep, field, "")
    keep.save()
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    now = timezone.now()
    record.undone_at = now
    record.undone_by = by
    record.save(update_fields=["undone_at", "undone_by"])
    _tell_cases(workspace, moved["cases"], "party.unmerged", by, keep, merged, record, now)
    return record


def _tell_cases(workspace, case_ids, kind, by, keep, merge, record, now) -> None:
    data = {
        "merge": record.pk,
        "kept": {"id": keep.pk, "name": str(keep)},
        "merged": {"id": merge.pk, "name": str(merge)},
    }
    for case in Case.objects.filter(workspace=workspace, pk__in=case_ids):
        events.record(case, kind, Actor(user=by), data=data, at=now)
