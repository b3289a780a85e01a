"""`core.inserts.insert` saves a new row exactly as `save()` would, only cheaper."""

import pytest
from django.db import IntegrityError
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

from ombuds.conversations.events import Actor
from ombuds.conversations.models import CaseEvent
from ombuds.conversations.services import open_case
from ombuds.core.inserts import insert
from ombuds.marketplace.models import Party, PartyIdentity
from ombuds.marketplace.services import find_or_create_party_by_email


@pytest.fixture
def case(workspace):
    party = find_or_create_party_by_email(workspace=workspace, email="ann@example.com")
    return open_case(
        workspace=workspace,
        subject="Tickets",
        body="Where?",
        requester=party,
        actor=Actor(party=party),
    )


def event(case, **extra):
    return CaseEvent(
        workspace_id=case.workspace_id,
        case=case,
        kind="note",
        actor_label="Ann",
        data={"a": [1, "twee"]},
        after={"status": "open"},
        created_at=case.created_at,
        **extra,
    )


def test_an_inserted_row_reads_back_as_a_saved_one(case):
    saved, inserted = event(case), event(case)
    saved.save(force_insert=True)
    insert(inserted)

    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    fields = lambda row: {k: v for k, v in model_to_dict(row).items() if k != "id"}  # noqa: E731
    assert fields(CaseEvent.objects.get(pk=inserted.pk)) == fields(
        CaseEvent.objects.get(pk=saved.pk)
    )


def test_insert_fills_auto_now_and_tells_whoever_listens(workspace):
    heard = []

    def listener(signal):
        return lambda sender, instance, **kw: heard.append((signal, instance.pk, kw.get("created")))

    before, after = listener("pre"), listener("post")
    pre_save.connect(before, sender=Party)
    post_save.connect(after, sender=Party)
    try:
        party = insert(Party(workspace=workspace, name="Bram"))
    finally:
        pre_save.disconnect(before, sender=Party)
        post_save.disconnect(after, sender=Party)

    assert heard == [("pre", None, None), ("post", party.pk, True)]
    stored = Party.objects.get(pk=party.pk)
    assert stored.created_at is not None and stored.created_at == party.created_at
    assert stored.updated_at == party.updated_at


def test_insert_refuses_what_save_refuses(workspace, case):
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(PartyIdentity(workspace=workspace, party=Party(), kind="email", value="x@y.z"))
    # A row that has a primary key already goes through save(): inserting it twice fails.
    again = event(case)
    again.pk = CaseEvent.objects.first().pk
    with pytest.raises(IntegrityError):
        insert(again)
