"""One person across channels: identifiers are normalised, parties can be merged and the
merge undone exactly."""

import pytest

from ombuds.conversations.models import CaseParticipant
from ombuds.core.errors import ApplicationError
from ombuds.intake.identity import Identity, merge_parties, party_for, undo_party_merge
from ombuds.marketplace.models import PartyIdentity
from tests import builders


def test_identifiers_are_normalised_so_the_same_person_is_found_again(workspace):
    by_mail = party_for(workspace=workspace, identity=Identity.email(" Ann@Example.COM "))
    again = party_for(workspace=workspace, identity=Identity.email("ann@example.com"))
    by_phone = party_for(workspace=workspace, identity=Identity.phone("+31 6 1234 5678"))
    phone_again = party_for(workspace=workspace, identity=Identity.phone("0031612345678"))

    assert by_mail.pk == again.pk
    assert by_phone.pk == phone_again.pk
    assert by_phone.phone == "+31612345678"


def test_a_handle_is_scoped_by_its_platform(workspace):
    telegram = party_for(workspace=workspace, identity=Identity.handle("telegram", "42"))
    messenger = party_for(workspace=workspace, identity=Identity.handle("messenger", "42"))
    assert telegram.pk != messenger.pk


def test_a_malformed_phone_number_is_refused(workspace):
    with pytest.raises(ApplicationError) as refused:
        Identity.phone("call me maybe")
    assert refused.value.code == "invalid_phone"


@pytest.fixture
def two_of_one_person(workspace):
    mail = party_for(workspace=workspace, identity=Identity.email("ann@example.com", "Ann"))
    phone = party_for(workspace=workspace, identity=Identity.phone("+31612345678"))
    mail_case = builders.case(workspace, requester=mail, subject="By email", channel="email")
    phone_case = builders.case(
        workspace, requester=phone, subject="By WhatsApp", channel="whatsapp"
    )
    return mail, phone, mail_case, phone_case


def test_merging_joins_the_histories_and_later_messages_find_the_kept_party(
    workspace, agent, two_of_one_person
):
    mail, phone, mail_case, phone_case = two_of_one_person

    merge_parties(workspace=workspace, keep=mail, merge=phone, by=agent)

    phone_case.refresh_from_db()
    phone.refresh_from_db()
    mail.refresh_from_db()
    assert phone_case.requester_id == mail.pk
    assert phone.merged_into_id == mail.pk
    assert mail.phone == "+31612345678"
    assert party_for(workspace=workspace, identity=Identity.phone("+31612345678")).pk == mail.pk
    assert phone_case.events.filter(kind="party.merged").exists()
    assert set(mail.cases.values_list("pk", flat=True)) == {mail_case.pk, phone_case.pk}


def test_undoing_a_merge_puts_back_exactly_what_it_moved(workspace, agent, two_of_one_person):
    mail, phone, _mail_case, phone_case = two_of_one_person
    record = merge_parties(workspace=workspace, keep=mail, merge=phone, by=agent)
    later = builders.case(workspace, requester=mail, subject="After the merge")

    undo_party_merge(workspace=workspace, merge=record, by=agent)

    phone_case.refresh_from_db()
    later.refresh_from_db()
    mail.refresh_from_db()
    assert phone_case.requester_id == phone.pk
    assert later.requester_id == mail.pk
    assert mail.phone == ""
    assert PartyIdentity.objects.get(value="+31612345678").party_id == phone.pk
    assert CaseParticipant.objects.filter(case=phone_case, party=phone).exists()
    with pytest.raises(ApplicationError) as again:
        undo_party_merge(workspace=workspace, merge=record, by=agent)
    assert again.value.code == "merge_undone"


def test_a_party_of_another_workspace_cannot_be_merged(workspace, other_workspace, agent):
    mine = party_for(workspace=workspace, identity=Identity.email("a@example.com"))
    theirs = party_for(workspace=other_workspace, identity=Identity.email("a@example.com"))
    with pytest.raises(ApplicationError) as refused:
        merge_parties(workspace=workspace, keep=mine, merge=theirs, by=agent)
    assert refused.value.status == 404
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None


def test_a_party_cannot_be_merged_into_itself_or_twice(workspace, agent, two_of_one_person):
    mail, phone, *_ = two_of_one_person
    with pytest.raises(ApplicationError):
        merge_parties(workspace=workspace, keep=mail, merge=mail, by=agent)
    merge_parties(workspace=workspace, keep=mail, merge=phone, by=agent)
    with pytest.raises(ApplicationError) as twice:
        merge_parties(workspace=workspace, keep=mail, merge=phone, by=agent)
    assert twice.value.code == "already_merged"
