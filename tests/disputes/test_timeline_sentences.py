"""What agents read of a dispute's and a rescue's events on the case timeline."""

from __future__ import annotations

from django.utils import translation

from ombuds.conversations.models import CaseEvent
from ombuds.core.money import Money
from ombuds.disputes.services.decisions import decide_dispute
from ombuds.web.desk.timeline import describe_event, event_details
from tests.disputes.helpers import in_mediation


def test_a_decision_reads_as_a_sentence_with_its_reasons(dispute, agent_one):
    in_mediation(dispute, agent_one)
    decide_dispute(
        dispute=dispute,
        actor=agent_one,
        outcome="partial_refund",
        amount=Money(4000, "EUR"),
        bearer="seller",
        statement="Half the order arrived; the seller refunds <b>the</b> missing half.",
    )
    event = CaseEvent.objects.get(case=dispute.case, kind="dispute.decide")
    with translation.override("en"):
        sentence = str(describe_event(event))
        details = event_details(event)
    assert "decide the dispute" in sentence and dispute.reference in sentence
    assert "dispute.decide" not in sentence
    assert "borne by seller" in details
    with translation.override("nl"):
        assert "geschil" in str(describe_event(event)).lower()
