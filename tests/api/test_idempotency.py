"""Idempotency-Key on POST: a retry gets the first answer, never a second case."""

import threading

import pytest
from django.db import connections

from ombuds.conversations.models import Case, Message
from ombuds.core import idempotency
from ombuds.core.models import IdempotencyRecord
from tests import builders
from tests.api.client import Api, assert_error

NEW_CASE = {
    "subject": "Refund please",
    "body": "The concert was cancelled.",
    "requester": {"email": "lea@example.com"},
}
KEY = {"Idempotency-Key": "create-case-7f3a"}


def test_a_retry_returns_the_first_answer_and_opens_one_case(agent_api):
    # Given a POST that carried a key
    first = agent_api.post("/cases", NEW_CASE, headers=KEY)
    assert first.status_code == 201
    # When the client, unsure it arrived, sends it again
    retry = agent_api.post("/cases", NEW_CASE, headers=KEY)
    # Then it gets the same answer back, and there is still one case
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.json()["reference"] == "RES-1"
    assert retry["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.method, record.path, record.status_code) == ("POST", "/api/v1/cases", 201)


def test_the_same_body_with_keys_in_another_order_is_the_same_request(agent_api):
    agent_api.post("/cases", NEW_CASE, headers=KEY)
    reordered = dict(reversed(list(NEW_CASE.items())))
    assert agent_api.post("/cases", reordered, headers=KEY).status_code == 201
    assert Case.objects.count() == 1


def test_a_key_reused_for_another_body_is_refused(agent_api):
    agent_api.post("/cases", NEW_CASE, headers=KEY)
    response = agent_api.post("/cases", {**NEW_CASE, "subject": "Other"}, headers=KEY)
    assert_error(response, 422, "idempotency_key_reused")
    assert Case.objects.count() == 1


def test_a_key_reused_on_another_path_is_refused(agent_api, case):
    agent_api.post("/cases", NEW_CASE, headers=KEY)
    note = {"kind": "note", "body": "x"}
    response = agent_api.post(f"/cases/{case.reference}/messages", note, headers=KEY)
    assert_error(response, 422, "idempotency_key_reused")


def test_without_a_key_each_post_is_a_new_case(agent_api):
    agent_api.post("/cases", NEW_CASE)
    agent_api.post("/cases", NEW_CASE)
    assert Case.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_different_keys_are_different_requests(agent_api):
    agent_api.post("/cases", NEW_CASE, headers={"Idempotency-Key": "a"})
    agent_api.post("/cases", NEW_CASE, headers={"Idempotency-Key": "b"})
    assert Case.objects.count() == 2


def test_a_refused_request_keeps_no_answer_so_the_fixed_one_may_use_the_key(agent_api):
    assert_error(
        agent_api.post("/cases", {**NEW_CASE, "body": " "}, headers=KEY), 422, "empty_message"
    )
    assert not IdempotencyRecord.objects.exists()
    assert agent_api.post("/cases", NEW_CASE, headers=KEY).status_code == 201


def test_keys_belong_to_one_workspace(agent_api, other_api):
    agent_api.post("/cases", NEW_CASE, headers=KEY)
    response = other_api.post("/cases", NEW_CASE, headers=KEY)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert sorted(Case.objects.values_list("reference", flat=True)) == ["OTH-1", "RES-1"]


def test_message_posts_replay_too(agent_api, case):
    reply = {"kind": "reply", "body": "Refund is on its way."}
    first = agent_api.post(f"/cases/{case.reference}/messages", reply, headers=KEY)
    again = agent_api.post(f"/cases/{case.reference}/messages", reply, headers=KEY)
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.filter(kind="outbound").count() == 1


def test_an_overlong_key_is_refused(agent_api):
    response = agent_api.post("/cases", NEW_CASE, headers={"Idempotency-Key": "k" * 256})
    assert_error(response, 422, "invalid_idempotency_key")
    assert not Case.objects.exists()


def test_a_key_taken_between_lookup_and_claim_replays_the_winner(agent_api, monkeypatch):
    # Given the first request has committed its answer
    first = agent_api.post("/cases", NEW_CASE, headers=KEY).json()
    # When a parallel duplicate looked before that commit (so saw nothing) and only then
    # tries to claim the key
    monkeypatch.setattr(idempotency, "stored_answer", lambda workspace, key: None)
    response = agent_api.post("/cases", NEW_CASE, headers=KEY)
    # Then the unique index stops it, and it answers with the winner's case
    assert response.status_code == 201
    assert response.json()["reference"] == first["reference"]
    assert Case.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_open_one_case():
    workspace = builders.workspace("race", prefix="RACE")
    token = builders.token(workspace, "agent@race.test", role="agent")
    start = threading.Barrier(6)
    answers = []

    def post():
        try:
            start.wait()
            response = Api(token).post("/cases", NEW_CASE, headers=KEY)
            answers.append((response.status_code, response.json().get("reference")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [(201, "RACE-1")] * 6
    assert Case.objects.filter(workspace=workspace).count() == 1
