"""Vietnamese first, English available.

Every module that shows text to people keeps its own catalogue of messages,
each in both languages, and looks texts up through :func:`tr`::

    MESSAGES = {
        "saved": {"vi": "Đã lưu lúc {time}", "en": "Saved at {time}"},
    }
    tr(MESSAGES, "saved", "vi", time="10:02")   # 'Đã lưu lúc 10:02'

Bilingual data (checklist texts, plan texts) is a mapping ``{"vi": ..., "en": ...}``
and is picked with :func:`pick`; a code's people's name from a label table
(``SECTOR_LABELS``, ``VERDICT_LABELS``, ...) with :func:`label`. Text is normalised to Unicode NFC.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
BOOLEAN_WORDS = {
    **dict.fromkeys(["co", "c", "x", "yes", "y", "true", "1", "dung", "v"], True),
    **dict.fromkeys(["khong", "k", "no", "n", "false", "0", "sai"], False),
}
"""What people write for yes and no, lower case without diacritics (``có`` → ``co``)."""


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise ``ValueError`` naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pick(texts: Mapping[str, str] | str | None, lang: str = DEFAULT_LANG) -> str:
    """The text in ``lang``, falling back to Vietnamese, then to any language given."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return nfc(texts)
    check_lang(lang)
    for key in (lang, DEFAULT_LANG, *texts):
        if texts.get(key):
            return nfc(texts[key])
    return ""


def tr(
    catalogue: Mapping[str, Mapping[str, str]], key: str, lang: str = DEFAULT_LANG, **fmt
) -> str:
    """Look ``key`` up in a module's catalogue and format it; a missing key raises ``KeyError``."""
    text = pick(catalogue[key], lang)
    return text.format(**fmt) if fmt else text


def both(catalogue: Mapping[str, Mapping[str, str]], key: str, **fmt) -> str:
    """English, then Vietnamese in brackets: for errors raised where no ``lang`` is known."""
    return f"{tr(catalogue, key, 'en', **fmt)} ({tr(catalogue, key, 'vi', **fmt)})"


def label(catalogue: Mapping[str, Mapping[str, str]], code: object, lang: str) -> str:
    """A code's label, ``label(SECTOR_LABELS, "wood", "vi")``; the code itself when unknown."""
    return pick(catalogue[code], lang) if code in catalogue else str(code)
