"""Macros: variables filled in per case and language, missing values reported, no
template injection, versions kept, uses counted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ombuds.automation.macros.render import VARIABLES, fill
from ombuds.automation.macros.selectors import versions_of
from ombuds.automation.macros.services import (
    create_macro,
    edit_macro,
    render_for_case,
    reply_with_macro,
)
from ombuds.automation.models import MacroUse
from ombuds.core.errors import ApplicationError
from ombuds.marketplace.services import upsert_party
from tests import builders


def test_every_variable_is_filled_in_for_a_case(workspace, buyer, agent, parcel_order):
    text = " | ".join(f"{{{{ {name} }}}}" for name in VARIABLES)
    macro = create_macro(workspace=workspace, name="All", texts={"en": text})
    case = builders.case(workspace, requester=buyer, order=parcel_order)
    choice = render_for_case(macro=macro, case=case, agent=agent)
    values = dict(zip(VARIABLES, choice.rendered.text.split(" | "), strict=True))
    assert values["buyer_name"] == "Bram Buyer"
    assert values["buyer_first_name"] == "Bram"
    assert values["order_number"] == "ORD-100"
    assert values["tracking_link"] == "https://track.example/3S123"
    assert values["tracking_number"] == "3S123"
    assert values["carrier"] == "PostNL"
    assert values["delivery_date"] == "Saturday 5 December"
    assert values["case_reference"] == case.reference
    assert values["agent_name"] == "Anna Agent"
    assert values["workspace_name"] == "Resale"
    # A parcel order has no booking: those are reported missing, not invented.
    assert set(choice.rendered.missing) == {
        "transfer_status",
        "transfer_deadline",
        "event_name",
        "event_date",
    }


def test_booking_variables_in_dutch(workspace, dutch_buyer, ticket_order):
    macro = create_macro(
        workspace=workspace,
        name="Transfer",
        texts={
            "en": "{{ event_name }}: {{ transfer_status }}",
            "nl": "{{ event_name }}: {{ transfer_status }} (uiterlijk {{ transfer_deadline }})",
        },
    )
    case = builders.case(workspace, requester=dutch_buyer, order=ticket_order, language="nl")
    choice = render_for_case(macro=macro, case=case)
    assert choice.language == "nl"
    assert choice.rendered.text.startswith("Coldplay — Music of the Spheres: Overdracht open")
    assert "uiterlijk " in choice.rendered.text
    assert not choice.rendered.missing


def test_language_falls_back_to_the_workspace_default(workspace, buyer):
    german = upsert_party(
        workspace=workspace, external_id="B-DE", kind="buyer", name="Jonas", language="de"
    )[0]
    macro = create_macro(
        workspace=workspace,
        name="Hi",
        texts={"nl": "Hoi {{ buyer_name }}", "en": "Hi {{ buyer_name }}"},
    )
    case = builders.case(workspace, requester=german, language="de")
    assert render_for_case(macro=macro, case=case).rendered.text == "Hi Jonas"
    dutch_only = create_macro(workspace=workspace, name="NL", texts={"nl": "Hoi"})
    assert render_for_case(macro=dutch_only, case=case).language == "nl"


@pytest.mark.parametrize(
    "name",
    [
        "{{ case_reference }}",
        "{% load static %}{% debug %}",
        "{{ workspace.secret_key }}",
        "{{ settings.SECRET_KEY }}",
        "{{ buyer_name|safe }}",
        "<script>alert(1)</script>",
    ],
)
def test_customer_values_are_never_evaluated(workspace, name):
    sneaky = upsert_party(workspace=workspace, external_id="B-X", kind="buyer", name=name)[0]
    macro = create_macro(
        workspace=workspace,
        name="Greet",
        texts={"en": "Dear {{ buyer_name }}, ref {{ case_reference }}"},
    )
    case = builders.case(workspace, requester=sneaky)
    text = render_for_case(macro=macro, case=case).rendered.text
    assert text == f"Dear {name}, ref {case.reference}"


def test_macro_text_may_not_name_unknown_variables(workspace):
    for text in ("Hi {{ request.user.password }}", "{{ settings }}", "Hi {{ nope }}"):
        with pytest.raises(ApplicationError) as refused:
            create_macro(workspace=workspace, name="Bad", texts={"en": text})
        assert refused.value.code in ("unknown_macro_variable",)
    # What is not a placeholder is plain text.
    macro = create_macro(
        workspace=workspace, name="Braces", texts={"en": "{% if x %}{ {buyer_name} }"}
    )
    assert macro.current.texts.get().body == "{% if x %}{ {buyer_name} }"


@given(st.text(max_size=80))
def test_filling_in_is_a_single_literal_pass(value):
    rendered = fill("<{{ buyer_name }}|{{ order_number }}>", {"buyer_name": lambda: value})
    assert rendered.text == f"<{value}|>"
    assert rendered.missing == (["buyer_name", "order_number"] if not value else ["order_number"])


def test_editing_keeps_old_versions_and_a_reply_records_its_version(
    workspace, buyer, agent, parcel_order
):
    macro = create_macro(workspace=workspace, name="Late", texts={"en": "Sorry {{ buyer_name }}"})
    first = macro.current
    case = builders.case(workspace, requester=buyer, order=parcel_order)
    old_reply = reply_with_macro(case=case, version=first, author=agent)

    edit_macro(macro=macro, texts={"en": "We apologise, {{ buyer_name }}", "nl": "Sorry"}, by=agent)
    macro.refresh_from_db()
    assert macro.current.number == 2
    edit_macro(macro=macro, texts={"en": "We apologise, {{ buyer_name }}", "nl": "Sorry"}, by=agent)
    macro.refresh_from_db()
    assert macro.current.number == 2  # same words: no new version

    new_reply = reply_with_macro(case=case, version=macro.current, author=agent, body="Edited")
    assert old_reply.body_text == "Sorry Bram Buyer"
    assert old_reply.macro_use.version == first
    assert new_reply.body_text == "Edited"
    assert new_reply.macro_use.version.number == 2
    versions = versions_of(macro)
    assert [(v.number, v.uses_count) for v in versions] == [(2, 1), (1, 1)]
    assert {t.language for t in versions[0].texts.all()} == {"en", "nl"}
    assert versions[1].texts.get().body == "Sorry {{ buyer_name }}"
    macro.refresh_from_db()
    assert macro.usage_count == 2
    assert MacroUse.objects.filter(used_by=agent).count() == 2


def test_macros_do_not_cross_workspaces(workspace, other_workspace, buyer):
    foreign = create_macro(workspace=other_workspace, name="Theirs", texts={"en": "x"})
    case = builders.case(workspace, requester=buyer)
    with pytest.raises(ApplicationError) as refused:
        render_for_case(macro=foreign, case=case)
    assert refused.value.status == 404
    with pytest.raises(ApplicationError):
        reply_with_macro(case=case, version=foreign.current, body="x", author=None, actor=None)


def test_a_name_is_unique_in_a_workspace(workspace, other_workspace):
    create_macro(workspace=workspace, name="Same", texts={"en": "a"})
    create_macro(workspace=other_workspace, name="Same", texts={"en": "b"})
    with pytest.raises(ApplicationError) as refused:
        create_macro(workspace=workspace, name="Same", texts={"en": "c"})
    assert refused.value.code == "macro_name_taken"
