"""Signing buyers in with a mailed link: their own cases, in one workspace, nothing more."""

import re

import pytest
from django.core import mail, signing
from django.core.cache import cache

from ombuds.marketplace.models import PartyIdentity
from ombuds.web.portal import magic_links
from tests import builders


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def _mailed_path() -> str:
    link = re.search(r"https?://\S+/portal/login/\S+", mail.outbox[-1].body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _token_path(identity: PartyIdentity, slug: str = "resale") -> str:
    return f"/help/{slug}/portal/login/{magic_links.make_token(identity)}/"


def _identity(party) -> PartyIdentity:
    return PartyIdentity.objects.get(party=party, kind="email")


def test_mailed_link_shows_the_buyer_their_own_cases_only(client, workspace, buyer):
    other = builders.party(workspace, "B-2", name="Olga Other", email="olga@example.com")
    mine = builders.case(workspace, requester=buyer, subject="Tickets not transferred")
    theirs = builders.case(workspace, requester=other, subject="Hotel booking cancelled")

    response = client.post("/help/resale/portal/", {"email": "bram@example.com"})
    assert response["Location"] == "/help/resale/portal/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bram@example.com"]

    response = client.get(_mailed_path())
    assert response["Location"] == "/help/resale/portal/cases/"
    page = client.get("/help/resale/portal/cases/").content.decode()

    assert mine.reference in page
    assert "Tickets not transferred" in page
    assert theirs.reference not in page
    assert "Hotel booking cancelled" not in page
    assert client.get(f"/help/resale/portal/cases/{theirs.reference}/").status_code == 404
    assert client.get(f"/help/resale/portal/cases/{mine.reference}/").status_code == 200


def test_portal_session_opens_no_other_workspace(client, workspace, other_workspace, buyer):
    # The same person is a buyer on both marketplaces, under the same address.
    elsewhere = builders.party(other_workspace, "B-1", email="bram@example.com")
    foreign = builders.case(other_workspace, requester=elsewhere)
    client.get(_token_path(_identity(buyer)))

    assert client.get(f"/help/resale/portal/cases/{foreign.reference}/").status_code == 404
    response = client.get("/help/other/portal/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/help/other/portal/"


def test_unknown_email_gets_the_same_answer_and_no_mail(client, workspace, buyer):
    known = client.post("/help/resale/portal/", {"email": "bram@example.com"})
    unknown = client.post("/help/resale/portal/", {"email": "nobody@example.com"})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mail.outbox] == [["bram@example.com"]]


def test_email_of_another_workspace_gets_no_mail(client, workspace, other_workspace):
    builders.party(other_workspace, "X-1", email="xavier@example.com")

    client.post("/help/resale/portal/", {"email": "xavier@example.com"})

    assert mail.outbox == []


def test_link_points_to_the_public_address_whatever_host_was_asked(
    client, workspace, buyer, settings
):
    settings.OMBUDS_PUBLIC_URL = "https://help.resale.example"

    client.post("/help/resale/portal/", {"email": "bram@example.com"}, HTTP_HOST="evil.example")

    assert "https://help.resale.example/help/resale/portal/login/" in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].body


def test_tampered_link_is_refused(client, workspace, buyer):
    token = magic_links.make_token(_identity(buyer))
    other = builders.party(workspace, "B-2", email="olga@example.com")
    # Swap the party inside the payload but keep the old signature.
    _payload, stamp, signature = token.rsplit(":", 2)
    forged = signing.TimestampSigner(salt="something else").sign_object(
        {"w": workspace.pk, "p": other.pk, "e": "x"}
    )
    forged_token = f"{forged.rsplit(':', 2)[0]}:{stamp}:{signature}"

    for bad in (forged_token, token[:-3] + "abc", "not-a-token"):
        response = client.get(f"/help/resale/portal/login/{bad}/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
        assert 'href="/help/resale/portal/"' in response.content.decode()
    assert client.get("/help/resale/portal/cases/").status_code == 302


def test_expired_link_is_refused_with_a_way_to_get_a_new_one(client, workspace, buyer, monkeypatch):
    import time

    issued_at = time.time() - 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: issued_at)
    token = magic_links.make_token(_identity(buyer))
    monkeypatch.undo()

    response = client.get(f"/help/resale/portal/login/{token}/")

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert 'href="/help/resale/portal/"' in response.content.decode()
    assert client.get("/help/resale/portal/cases/").status_code == 302


def test_max_age_comes_from_settings(client, workspace, buyer, settings):
    settings.OMBUDS_MAGIC_LINK_MAX_AGE = -1

    response = client.get(_token_path(_identity(buyer)))

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()


def test_link_from_one_workspace_is_refused_on_another(client, workspace, other_workspace, buyer):
    response = client.get(_token_path(_identity(buyer), slug="other"))

    assert response.status_code == 403
    assert "This link is for another help center" in response.content.decode()
    assert client.get("/help/other/portal/cases/").status_code == 302


def test_link_dies_when_the_address_leaves_the_party(client, workspace, buyer):
    path = _token_path(_identity(buyer))
    client.get(path)
    assert client.get("/help/resale/portal/cases/").status_code == 200

    _identity(buyer).delete()

    assert client.get("/help/resale/portal/cases/").status_code == 302
    assert client.get(path).status_code == 400


def test_login_rotates_the_session_key(client, workspace, buyer):
    client.get("/help/resale/portal/")
    client.session.save()
    before = client.session.session_key

    client.get(_token_path(_identity(buyer)))

    assert client.session.session_key != before


def test_portal_session_does_not_open_the_agent_desk(client, workspace, agent, buyer):
    client.get(_token_path(_identity(buyer)))

    response = client.get("/w/resale/inbox/")

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_portal_session(client, workspace, buyer):
    client.get(_token_path(_identity(buyer)))

    response = client.post("/help/resale/portal/logout/")

    assert response["Location"] == "/help/resale/"
    assert client.get("/help/resale/portal/cases/").status_code == 302


def test_logout_needs_a_post(client, workspace, buyer):
    client.get(_token_path(_identity(buyer)))

    assert client.get("/help/resale/portal/logout/").status_code == 405
    assert client.get("/help/resale/portal/cases/").status_code == 200


def test_one_mailbox_gets_a_few_links_per_hour_at_most(client, workspace, buyer):
    responses = [
        client.post("/help/resale/portal/", {"email": "bram@example.com"}) for _ in range(8)
    ]

    assert {r["Location"] for r in responses} == {"/help/resale/portal/sent/"}
    assert len(mail.outbox) == 5


def test_invalid_address_is_a_form_error(client, workspace):
    response = client.post("/help/resale/portal/", {"email": "not an address"})

    assert response.status_code == 422
    assert mail.outbox == []


def test_signed_in_buyer_asking_again_goes_straight_to_their_cases(client, workspace, buyer):
    client.get(_token_path(_identity(buyer)))

    response = client.get("/help/resale/portal/")

    assert response["Location"] == "/help/resale/portal/cases/"


def test_sign_in_mail_is_in_the_buyers_language(client, workspace, buyer):
    client.post("/help/resale/portal/", {"email": "bram@example.com"}, HTTP_ACCEPT_LANGUAGE="nl")

    assert "inloglink" in mail.outbox[0].subject.lower()
