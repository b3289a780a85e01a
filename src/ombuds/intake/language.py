"""The language a customer wrote in, detected offline.

py3langid (a naive Bayes model over byte n-grams, shipped inside the package) decides in
well under a millisecond. It is loaded once per process, on first use, and limited to the
languages a marketplace desk is likely to meet, which makes short texts far less noisy.
Texts too short to judge fall back to what is already known of the sender.
"""

from __future__ import annotations

import re
import threading

LANGUAGES = (
    "en", "nl", "de", "fr", "es", "it", "pt", "pl", "sv", "da", "no", "fi",
    "cs", "tr", "ro", "hu", "el", "ru", "uk", "ar", "zh", "ja", "ko",
)  # fmt: skip
# Below this many letters the model mostly guesses; below this confidence it is unsure.
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.80

_identifier = None
_lock = threading.Lock()
_URLS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")


def _model():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(LANGUAGES))
                _identifier = identifier
    return _identifier


def _has_letters(text: str, count: int) -> bool:
    """At least `count` letters in `text` (stops counting there, not at the end)."""
    for ch in text:
        if ch.isalpha():
            count -= 1
            if count <= 0:
                return True
    return count <= 0


def detect_language(text: str, *, fallback: str = "") -> str:
    """An ISO 639-1 code for `text`, or `fallback` when the text is too short or unclear."""
    sample = _URLS.sub(" ", text or "")[:2000]
    if not _has_letters(sample, MIN_LETTERS):
        return fallback
    code, confidence = _model().classify(sample)
    return code if confidence >= MIN_CONFIDENCE else fallback
