"""A reply shows what the customer added; the quoted history and the signature are cut
off for the case view, and the full text stays with the message."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ombuds.intake.email.quotes import visible_html, visible_text
from ombuds.intake.models import InboundStatus

from .mailroom import ingest, sample

REPLIES = [
    (
        "outlook_reply.eml",
        "Thank you, the tickets arrived this morning. One question: can I change the name "
        "on them?\n\nKind regards,\nAnn",
        "Your tickets are on their way.",
    ),
    (
        "outlook_web_nl_reply.eml",
        "Hallo,\n\nHet pakket is vandaag retour gestuurd, het volgnummer is 3SABC123.\n\n"
        "Met vriendelijke groet,\nJoost",
        "stuur het pakket graag terug",
    ),
    (
        "gmail_reply.eml",
        "Still nothing in my account. Could you check again?\n\nAnn",
        "Your tickets are on their way.",
    ),
    (
        "apple_mail_nl_reply.eml",
        "Groet, Sanne",
        "de terugbetaling is onderweg",
    ),
    ("iphone_reply.eml", "Got them, thanks!", "Sent from my iPhone"),
    (
        "thunderbird_de_reply.eml",
        "Hallo,\n\nanbei die Fotos vom beschädigten Karton. Die Ecke ist komplett "
        "eingedrückt.\n\nViele Grüße\nJürgen",
        "Musterstraße",
    ),
    (
        "gmail_fr_reply.eml",
        "Bonjour,\n\nJe n'ai toujours pas reçu le remboursement.\n\nCordialement,\nRenée",
        "le remboursement est en cours",
    ),
]


@pytest.mark.parametrize(("name", "visible", "hidden"), REPLIES)
def test_a_reply_shows_only_what_the_customer_added(thread, name, visible, hidden):
    case, _ = thread
    inbound = ingest(case.workspace, sample(name))

    assert inbound.status == InboundStatus.PROCESSED, inbound.error
    message = inbound.message
    assert message.case_id == case.pk
    assert message.body_text.endswith(visible)
    assert hidden not in message.body_text
    assert hidden not in message.body_html
    # Nothing is lost: the full text is kept, and the original email is downloadable.
    assert message.meta["quote_stripped"] is True
    assert hidden in message.meta["full_text"]
    assert message.meta["original"] == "eml"


def test_the_html_rendering_keeps_the_new_formatting(thread):
    case, _ = thread
    message = ingest(case.workspace, sample("outlook_web_nl_reply.eml")).message
    assert "<b>3SABC123</b>" in message.body_html
    assert "Verzonden" not in message.body_html


def test_a_message_without_history_is_left_whole(mail_workspace):
    message = ingest(mail_workspace, sample("latin1_8bit.eml")).message
    assert "quote_stripped" not in message.meta
    assert "full_text" not in message.meta


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes please.\n\n-----Original Message-----\nFrom: x\nSent: y", "Yes please."),
        ("Ja.\n\n-----Oorspronkelijk bericht-----\nVan: x", "Ja."),
        ("Ja.\n\n-----Ursprüngliche Nachricht-----\nVon: x", "Ja."),
        ("Oui.\n\n-----Message d'origine-----\nDe : x", "Oui."),
        ("Fine.\n\nVon: Support\nGesendet: Montag\nAn: Ann\nBetreff: x\n\nold", "Fine."),
        ("Fine.\n\nDe : Support\nEnvoyé : lundi\nÀ : Ann\nObjet : x\n\nold", "Fine."),
        ("Top post.\n\n> quoted\n> more quoted\n", "Top post."),
        ("Thanks\n\n-- \nAnn Buyer\n+31 6 1234 5678", "Thanks"),
        ("Thanks\n\nVerstuurd vanaf mijn iPhone", "Thanks"),
        ("Danke\n\nVon meinem iPhone gesendet", "Danke"),
        ("Merci\n\nEnvoyé de mon iPhone", "Merci"),
        ("OK\n\nGet Outlook for Android", "OK"),
        ("Ann wrote:\n> what about it?\nThis.", "Ann wrote:\n> what about it?\nThis."),
    ],
)
def test_history_and_signature_markers_in_four_languages(text, expected):
    assert visible_text(text)[0] == expected


def test_an_answer_between_the_quoted_lines_keeps_the_quotes():
    text = "On Mon, Support wrote:\n> Which seat?\nRow 12.\n> And the date?\nSaturday."
    assert visible_text(text) == (text, False)


def test_a_forward_keeps_everything_below_the_marker():
    text = "FYI\n\n-----Original Message-----\nFrom: Seller\nSent: today\n\nNo refund."
    assert visible_text(text, forward=True) == (text, False)


def test_gmail_html_history_is_cut_at_its_container():
    markup = (
        '<div dir="ltr">New words</div><div class="gmail_quote">'
        '<div class="gmail_attr">On Mon wrote:</div><blockquote>old</blockquote></div>'
    )
    assert visible_html(markup) == ('<div dir="ltr">New words</div>', True)


@given(st.text(max_size=400))
def test_the_visible_text_is_always_a_prefix_of_what_was_written(text):
    shown, stripped = visible_text(text)
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    assert normalized.strip().startswith(shown.strip()) or shown == text.strip()
    if not stripped:
        assert shown == text.strip()
