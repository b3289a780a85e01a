from django.utils import translation

from ombuds.conversations.models import Status
from ombuds.marketplace.models import ShipmentStatus, TransferStatus


def test_domain_labels_speak_dutch():
    with translation.override("nl"):
        assert str(Status.PENDING_CUSTOMER.label) == "Wacht op klant"
        assert str(TransferStatus.FAILED.label) == "Overdracht mislukt"
        assert str(ShipmentStatus.DELAYED.label) == "Vertraagd"
    with translation.override("en"):
        assert str(Status.PENDING_CUSTOMER.label) == "Pending customer"


def test_display_labels_follow_the_active_language(workspace, buyer):
    from tests import builders

    case = builders.case(workspace, requester=buyer)
    with translation.override("nl"):
        assert case.get_status_display() == "Nieuw"
        assert case.get_channel_display() == "Webformulier"
    with translation.override("en"):
        assert case.get_status_display() == "New"
    case.status = "not-a-status"
    assert case.get_status_display() == "not-a-status"
