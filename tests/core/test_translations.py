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
