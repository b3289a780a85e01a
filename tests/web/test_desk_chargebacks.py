"""Chargebacks in the desk: the list with deadlines, the case panel, the evidence
preview that is exactly what goes to Stripe, and the admins' provider settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ombuds.chargebacks.connections import ConnectionInput, connect_psp
from ombuds.chargebacks.models import Chargeback, EvidenceSubmission, PspConnection
from ombuds.chargebacks.receiving import process_pending_events
from ombuds.chargebacks.services.evidence import preview_evidence
from tests import builders
from tests.chargebacks import documented as doc
from tests.chargebacks.conftest import paid_order, post_event

DUE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3, hours=5)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def admin(workspace):
    return builders.member(workspace, "admin@resale.test", role="admin", name="Ada Admin")


@pytest.fixture
def stripe_connection(workspace, admin):
    return connect_psp(
        workspace=workspace,
        by=admin,
        spec=ConnectionInput(
            provider="stripe",
            name="Stripe",
            secret_key=doc.SECRET_KEY,
            webhook_secret=doc.WEBHOOK_SECRET,
            api_base_url="http://127.0.0.1:9",
        ),
    )


@pytest.fixture
def shop(workspace):
    return builders.party(workspace, "S-9", kind="seller", name="Sam's Shop")


def open_chargeback(client, connection, workspace, buyer, shop, n: int, **dispute):
    charge = f"ch_3Desk{n:04d}"
    paid_order(workspace, f"ORD-{n}", buyer=buyer, seller=shop, charge=charge)
    payload = doc.event(
        "charge.dispute.created",
        doc.dispute(charge=charge, payment_intent=None, ident=f"du_Desk{n:04d}", **dispute),
    )
    assert post_event(client, connection, payload).status_code == 200


@pytest.fixture
def chargeback(client, stripe_connection, workspace, buyer, shop):
    open_chargeback(client, stripe_connection, workspace, buyer, shop, 1, due_by=DUE)
    process_pending_events()
    return Chargeback.objects.get()


def test_the_list_shows_state_deadline_and_amount(client, agent, chargeback):
    client.force_login(agent)
    page = client.get("/w/resale/chargebacks/")
    assert page.status_code == 200
    text = page.text
    assert chargeback.case.reference in text
    assert "ORD-1" in text and "€125.00" in text
    assert "Needs response" in text
    assert "3\xa0days" in text and "left" in text


def test_the_list_speaks_dutch(client, agent, chargeback):
    agent.language = "nl"
    agent.save()
    client.force_login(agent)
    with translation.override("nl"):
        text = client.get("/w/resale/chargebacks/", HTTP_ACCEPT_LANGUAGE="nl").text
    assert "Terugboekingen" in text and "Reactie nodig" in text
    assert "nog 3\xa0dagen" in text


def test_the_list_costs_the_same_queries_for_many_chargebacks(
    client, agent, stripe_connection, workspace, buyer, shop
):
    client.force_login(agent)

    def queries() -> int:
        client.get("/w/resale/chargebacks/?view=all")
        with CaptureQueriesContext(db) as captured:
            assert client.get("/w/resale/chargebacks/?view=all").status_code == 200
        return len(captured.captured_queries)

    open_chargeback(client, stripe_connection, workspace, buyer, shop, 1, due_by=DUE)
    process_pending_events()
    few = queries()
    for n in range(2, 14):
        open_chargeback(client, stripe_connection, workspace, buyer, shop, n, due_by=DUE)
    process_pending_events()
    assert Chargeback.objects.count() == 13
    assert queries() == few


def test_the_case_page_shows_the_chargeback_panel(client, agent, chargeback):
    client.force_login(agent)
    text = client.get(f"/w/resale/cases/{chargeback.case.reference}/").text
    assert "Chargeback" in text and chargeback.provider_dispute_id in text
    assert "Stripe accepts a single evidence submission per dispute." in text
    assert "Evidence checklist" in text and "Receipt" in text
    assert f"/w/resale/chargebacks/{chargeback.pk}/evidence/" in text
    assert "left" in text


def test_hostile_text_from_the_provider_is_never_executable(
    client, agent, stripe_connection, workspace, buyer, shop
):
    open_chargeback(
        client, stripe_connection, workspace, buyer, shop, 7, due_by=DUE, reason=HOSTILE[:60]
    )
    process_pending_events()
    chargeback = Chargeback.objects.get()
    client.force_login(agent)
    for path, shown in (
        (f"/w/resale/cases/{chargeback.case.reference}/", True),
        ("/w/resale/chargebacks/", True),
        (f"/w/resale/chargebacks/{chargeback.pk}/evidence/", False),
    ):
        text = client.get(path).text
        assert "<script>alert" not in text and "<img src=x" not in text, path
        assert ("&lt;script&gt;" in text) == shown, path


def test_the_evidence_page_previews_exactly_what_is_sent_and_submits_it(client, agent, chargeback):
    client.force_login(agent)
    page = client.get(
        f"/w/resale/chargebacks/{chargeback.pk}/evidence/", {"statement": "Signed for."}
    )
    assert page.status_code == 200
    pack = preview_evidence(chargeback=chargeback, statement="Signed for.")
    for name in pack.fields:
        assert f"evidence[{name}]" in page.text
    assert pack.fingerprint in page.text
    assert "Submit to Stripe" in page.text

    sent = client.post(
        f"/w/resale/chargebacks/{chargeback.pk}/evidence/submit/",
        {"statement": "Signed for.", "fingerprint": pack.fingerprint, "confirm": "on"},
    )
    assert sent.status_code == 302
    submission = EvidenceSubmission.objects.get()
    assert submission.fields == pack.fields and submission.submitted_by == agent

    again = client.post(
        f"/w/resale/chargebacks/{chargeback.pk}/evidence/submit/",
        {"statement": "Signed for.", "fingerprint": pack.fingerprint, "confirm": "on"},
    )
    assert again.status_code == 409
    assert "single evidence submission" in again.text
    assert EvidenceSubmission.objects.count() == 1
    case_page = client.get(f"/w/resale/cases/{chargeback.case.reference}/").text
    assert "submitted evidence for the chargeback" in case_page
    assert "Prepare evidence for Stripe" not in case_page


def test_a_stale_preview_is_not_sent(client, agent, chargeback):
    client.force_login(agent)
    response = client.post(
        f"/w/resale/chargebacks/{chargeback.pk}/evidence/submit/",
        {"statement": "", "fingerprint": "0" * 64, "confirm": "on"},
    )
    assert response.status_code == 409
    assert "changed since you looked" in response.text
    assert not EvidenceSubmission.objects.exists()


def test_a_generated_document_can_be_read_before_sending(client, agent, chargeback):
    client.force_login(agent)
    receipt = client.get(f"/w/resale/chargebacks/{chargeback.pk}/evidence/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF-1.4")
    assert client.get(f"/w/resale/chargebacks/{chargeback.pk}/evidence/x.pdf").status_code == 404


def test_another_workspaces_chargeback_is_not_found(client, other_workspace, chargeback):
    outsider = builders.member(other_workspace, "o@other.test", role="admin")
    client.force_login(outsider)
    assert client.get(f"/w/other/chargebacks/{chargeback.pk}/evidence/").status_code == 404
    assert client.get(f"/w/resale/chargebacks/{chargeback.pk}/evidence/").status_code == 404
    assert chargeback.provider_dispute_id not in client.get("/w/other/chargebacks/").text


def test_admins_connect_stripe_and_secrets_are_never_shown(client, admin, workspace):
    client.force_login(admin)
    response = client.post(
        "/w/resale/payments/new/",
        {
            "provider": "stripe",
            "name": "Stripe EU",
            "account_id": doc.ACCOUNT,
            "secret_key": doc.SECRET_KEY,
            "webhook_secret": doc.WEBHOOK_SECRET,
            "connect_enabled": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    connection = PspConnection.objects.get()
    assert connection.secret_key == doc.SECRET_KEY and connection.connect_enabled
    page = client.get(response["Location"]).text
    assert doc.SECRET_KEY not in page and doc.WEBHOOK_SECRET not in page
    assert "/psp/resale/stripe/" in page
    listing = client.get("/w/resale/payments/").text
    assert doc.SECRET_KEY not in listing and "test mode" in listing
    # An empty secret keeps the stored one.
    client.post(
        f"/w/resale/payments/{connection.pk}/",
        {"name": "Stripe", "provider": "stripe", "is_active": "on"},
    )
    connection.refresh_from_db()
    assert connection.name == "Stripe" and connection.secret_key == doc.SECRET_KEY


def test_secrets_are_sealed_in_the_database(stripe_connection):
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT secret_key, webhook_secret FROM chargebacks_pspconnection WHERE id = %s",
            [stripe_connection.pk],
        )
        stored = cursor.fetchone()
    assert all(value.startswith("sealed:v1:") for value in stored)
    assert doc.SECRET_KEY not in "".join(stored)


def test_a_wrong_key_is_refused_next_to_its_field(client, admin):
    client.force_login(admin)
    response = client.post(
        "/w/resale/payments/new/",
        {"provider": "stripe", "name": "Stripe", "secret_key": "pk_test_123", "webhook_secret": ""},
    )
    assert response.status_code == 422
    assert "starts with sk_test_" in response.text
    assert not PspConnection.objects.exists()


def test_only_admins_see_the_payment_settings(client, agent, stripe_connection):
    client.force_login(agent)
    assert client.get("/w/resale/payments/").status_code == 403
    assert client.get(f"/w/resale/payments/{stripe_connection.pk}/").status_code == 403


def test_the_timeline_tells_the_chargebacks_money_in_both_languages(
    client, agent, stripe_connection, workspace, buyer, shop
):
    open_chargeback(client, stripe_connection, workspace, buyer, shop, 3, due_by=DUE)
    lost = doc.event(
        "charge.dispute.closed",
        doc.dispute(
            status="lost",
            charge="ch_3Desk0003",
            payment_intent=None,
            ident="du_Desk0003",
            due_by=DUE,
        ),
    )
    post_event(client, stripe_connection, lost)
    process_pending_events()
    chargeback = Chargeback.objects.get()
    client.force_login(agent)
    path = f"/w/resale/cases/{chargeback.case.reference}/"
    text = client.get(path).text
    assert (
        "moved the chargeback from <strong>Needs response</strong> to <strong>Lost</strong>" in text
    )
    assert (
        "took back <strong>€125.00</strong> for the chargeback, charged to <strong>Platform" in text
    )
    agent.language = "nl"
    agent.save()
    dutch = client.get(path, HTTP_ACCEPT_LANGUAGE="nl").text
    assert "zette de terugboeking van <strong>Reactie nodig</strong> op <strong>Verloren" in dutch
