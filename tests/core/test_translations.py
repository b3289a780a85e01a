import ast
import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

from ombuds.conversations.models import Status
from ombuds.marketplace.models import ShipmentStatus, TransferStatus


def test_domain_labels_speak_dutch():
    with translation.override("nl"):
        assert str(Status.PENDING_CUSTOMER.label) == "Wacht op klant"
        assert str(TransferStatus.FAILED.label) == "Overdracht mislukt"
        assert str(ShipmentStatus.DELAYED.label) == "Vertraagd"
    with translation.override("en"):
        assert str(Status.PENDING_CUSTOMER.label) == "Pending customer"


def test_one_english_word_can_be_two_dutch_ones():
    from ombuds.chargebacks.models import FundsStatus
    from ombuds.disputes.models import State

    with translation.override("nl"):
        # Funds a card network took back, and a dispute the buyer dropped.
        assert str(FundsStatus.WITHDRAWN.label) == "Afgeschreven"
        assert str(State.WITHDRAWN.label) == "Ingetrokken"


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


# Every string marked for translation in templates and code, by the same rules Django's
# makemessages uses (templatize for templates; gettext calls for Python), must have Dutch.
_TRANSLATING_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "gettext_noop"}
_TEMPLATE_CALL = re.compile(r"\b(?:gettext|ngettext|_)\(u?'((?:[^'\\]|\\.)*)'")
_SOURCE = Path(__file__).resolve().parents[2] / "src" / "ombuds"


def _marked_strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in _SOURCE.rglob("*.html"):
        for match in _TEMPLATE_CALL.finditer(templatize(path.read_text(), origin=str(path))):
            found.setdefault(ast.literal_eval(f"'{match.group(1)}'"), path.name)
    for path in _SOURCE.rglob("*.py"):
        # Demo content is written in each language already; migrations copy model labels.
        if {"migrations", "demo"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _TRANSLATING_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.name}:{node.lineno}")
    return found


def _dutch_msgids() -> set[str]:
    keys: set[str] = set()
    catalog = trans_real.translation("nl")
    while catalog is not None:
        keys |= {k if isinstance(k, str) else k[0] for k in catalog._catalog.keys()}  # noqa: SIM118 (no __iter__)
        catalog = getattr(catalog, "_fallback", None)
    return keys


def test_every_marked_string_has_a_dutch_translation():
    have = _dutch_msgids()
    missing = {text: where for text, where in _marked_strings().items() if text not in have}
    assert not missing, "no Dutch for:\n" + "\n".join(f"  {w}: {t!r}" for t, w in missing.items())
