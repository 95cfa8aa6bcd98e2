"""Free text made safe to show or store: no tags, control characters or contact details.

Used by the interview (to show the officer's own words back) and by the summary documents.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

MAX_LONG = 600  # the signal in the officer's words, policy, capacity


_SCRIPT = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{0,500}>")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Dutch phone numbers: 0, +31 or 0031, then nine digits with optional spaces or dashes.
_PHONE = re.compile(r"(?<![\w+])(\+31|0031|0)[\s-]?\(?\d\)?(?:[\s-]?\d){8}(?!\d)")
_SPACE = re.compile(r"\s+")
REMOVED = "[verwijderd]"


def clean_text(value: Any, limit: int = MAX_LONG) -> str:
    """Free text made safe to show: no tags, control or format characters, contact details.

    Whitespace is collapsed to single spaces and the text is cut at ``limit`` characters.
    """
    if value is None:
        return ""
    text = str(value)
    text = _SCRIPT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _SPACE.sub(" ", text)  # newlines and tabs become spaces before control chars go
    # Cc (control), Cf (format, e.g. bidi overrides, zero-width), Cs, Co, Cn: never shown.
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = _EMAIL.sub(REMOVED, text)
    text = _PHONE.sub(REMOVED, text)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
