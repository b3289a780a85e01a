"""Long replies are cut into pieces each platform takes, at natural breaks, losing no
word."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ombuds.intake.social.outbound import split_text, utf16_length

words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=12
)
texts = st.lists(
    st.tuples(words, st.sampled_from([" ", "\n", "\n\n"])), min_size=1, max_size=300
).map(lambda parts: "".join(w + s for w, s in parts).strip())


@given(text=texts, limit=st.integers(min_value=20, max_value=400))
def test_every_piece_fits_and_together_they_hold_every_word(text, limit):
    pieces = split_text(text, limit)
    assert all(len(piece) <= limit for piece in pieces)
    assert all(piece == piece.strip() and piece for piece in pieces)
    assert " ".join(pieces).split() == text.split()


@given(text=texts, limit=st.integers(min_value=20, max_value=400))
def test_pieces_fit_when_measured_as_telegram_counts(text, limit):
    pieces = split_text(text + " 😀" * 50, limit, size=utf16_length)
    assert all(utf16_length(piece) <= limit for piece in pieces)


def test_a_paragraph_break_near_the_limit_is_where_it_cuts():
    text = "a" * 50 + "\n\n" + "b" * 40
    assert split_text(text, 60) == ["a" * 50, "b" * 40]


def test_a_short_text_is_one_piece():
    assert split_text("  Hello  ", 4096) == ["Hello"]
    assert split_text("", 10) == []
