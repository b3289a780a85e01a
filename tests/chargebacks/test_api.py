"""Chargebacks through the REST API: read within the token's workspace, preview the
evidence, submit it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.chargebacks.models import Chargeback, EvidenceSubmission
from tests import builders
from tests.api.client import Api

from . import documented as doc

DUE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)


@pytest.fixture
def chargeback(deliver, order):
    deliver(doc.event("charge.dispute.created", doc.dispute(due_by=DUE)))
    return Chargeback.objects.get()


@pytest.fixture
def api(workspace):
    return Api(builders.token(workspace, "ops@resale.test", role="agent"))


def test_chargebacks_are_listed_and_read(api, chargeback):
    listed = api.get("/chargebacks")
    assert listed.status_code == 200
    (row,) = listed.json()
    assert row["provider_dispute_id"] == doc.DISPUTE and row["order"] == "ORD-1"
    assert row["state"] == "needs_response" and row["amount"] == 12500
    assert row["reason_label"] == "Product not received"
    assert api.get(f"/chargebacks/{chargeback.pk}").json()["case"] == chargeback.case.reference
    assert api.get("/chargebacks", {"view": "closed"}).json() == []


def test_evidence_is_previewed_then_submitted_once(api, chargeback):
    preview = api.post(f"/chargebacks/{chargeback.pk}/evidence/preview", {"statement": "Hi."})
    assert preview.status_code == 200
    body = preview.json()
    assert body["fields"]["uncategorized_text"].startswith("Hi.")
    # The case holds only the desk's opening note: no conversation with the buyer to send.
    assert [f["field"] for f in body["files"]] == ["receipt", "refund_policy"]
    submit = {"statement": "Hi.", "fingerprint": body["fingerprint"]}
    sent = api.post(f"/chargebacks/{chargeback.pk}/evidence", submit)
    assert sent.status_code == 202 and sent.json()["status"] == "sending"
    again = api.post(f"/chargebacks/{chargeback.pk}/evidence", submit)
    assert again.status_code == 409
    assert again.json()["code"] == "evidence_already_submitted"
    assert EvidenceSubmission.objects.count() == 1


def test_another_workspaces_token_sees_nothing(other_workspace, chargeback):
    outsider = Api(builders.token(other_workspace, "ops@other.test", role="admin"))
    assert outsider.get("/chargebacks").json() == []
    assert outsider.get(f"/chargebacks/{chargeback.pk}").status_code == 404


def test_a_read_only_token_cannot_submit(workspace, chargeback):
    viewer = Api(builders.token(workspace, "viewer@resale.test", role="read_only"))
    response = viewer.post(f"/chargebacks/{chargeback.pk}/evidence", {"fingerprint": "x"})
    assert response.status_code == 403
