"""Signing in, the front door, workspace switching and tenant scoping of the desk."""

from __future__ import annotations

from django.conf import settings

from ombuds.accounts.services import add_member
from tests import builders


def test_anonymous_agent_is_sent_to_login(client, workspace):
    answer = client.get("/w/resale/inbox/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/login/?next=/w/resale/inbox/")


def test_login_with_email_and_password_lands_in_the_inbox(client, workspace, agent):
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content

    answer = client.post("/login/", {"username": agent.email, "password": builders.PASSWORD})
    assert answer.status_code == 302
    assert answer["Location"] == "/"
    assert client.get("/")["Location"] == "/w/resale/inbox/"
    assert client.get("/w/resale/inbox/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, workspace, agent):
    answer = client.post("/login/", {"username": agent.email, "password": "nope"})
    assert answer.status_code == 200
    assert b"alert--error" in answer.content
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, workspace, agent):
    client.force_login(agent)
    answer = client.post("/logout/")
    assert answer.status_code == 302
    assert answer["Location"] == "/login/"
    assert client.get("/w/resale/inbox/").status_code == 302


def test_login_takes_the_profile_language_when_the_browser_has_none(client, workspace):
    user = builders.member(workspace, "nina@resale.test", name="Nina")
    user.language = "nl"
    user.save(update_fields=["language"])
    answer = client.post("/login/", {"username": user.email, "password": builders.PASSWORD})
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


def test_user_without_workspace_sees_an_explanation(client, db):
    from ombuds.accounts.models import User

    user = User.objects.create_user("lost@example.com", builders.PASSWORD)
    client.force_login(user)
    answer = client.get("/")
    assert answer.status_code == 200
    assert b"No workspace yet" in answer.content


def test_several_workspaces_can_be_switched_and_the_last_one_is_remembered(
    client, workspace, other_workspace, agent
):
    add_member(workspace=other_workspace, email=agent.email, role="supervisor")
    client.force_login(agent)
    # Alphabetical first: "Other" before "Resale".
    assert client.get("/")["Location"] == "/w/other/inbox/"

    page = client.get("/w/resale/inbox/")
    assert 'href="/w/other/inbox/"' in page.text
    assert 'class="switcher"' in page.text
    assert client.get("/")["Location"] == "/w/resale/inbox/"


def test_workspace_of_someone_else_does_not_exist(client, workspace, other_workspace, agent):
    client.force_login(agent)
    assert client.get("/w/other/inbox/").status_code == 404
    assert client.get("/w/other/").status_code == 404
    assert client.get("/w/nowhere/inbox/").status_code == 404
    assert client.get("/w/resale/").status_code == 302
