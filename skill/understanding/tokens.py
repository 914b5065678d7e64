"""Speech-recogniser text as tokens: lower case, apostrophes dropped, clause breaks kept."""

from __future__ import annotations

import re

# Punctuation that ends a clause ("no, my chest hurts") becomes this token; spoken text from
# Alexa rarely has any, typed text often does.
BREAK = "|"
_TOKEN = re.compile(r"[a-z]+|\d+|[,.;:!?]")
# "20mins", "10min": a number glued to its unit.
_GLUED = re.compile(r"(\d)([a-z])")
# "my chest's tight" is "chest s tight", so the noun stays itself; the few words whose "'s" is
# always "is" keep it joined, as the vocabulary writes them ("its", "thats").
_APOSTROPHE_S = re.compile(r"\b(?!(?:it|that|there|what|here|who|he|she|let)')([a-z]+)'s\b")


def tokens(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = _APOSTROPHE_S.sub(r"\1 s", text).replace("'", "")
    text = _GLUED.sub(r"\1 \2", text)
    return [BREAK if t in ",.;:!?" else t for t in _TOKEN.findall(text)]


def words(text: str) -> list[str]:
    """Just the words, for comparing phrases ("can't" and "cant" are equal)."""
    return [t for t in tokens(text) if t != BREAK]
