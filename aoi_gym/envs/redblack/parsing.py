"""Tolerant parsers for the free-text actions of the Red-Black Game.

Language agents answer in prose, markdown, with thinking blocks, or in the scenario's option letters.
These functions turn such replies into game values and return ``None`` (never raise) when a reply
cannot be read, so that the game can apply its rule for that case (willingness 1, vote abstains).

Choices are ``"BLACK"`` (cooperate) and ``"RED"`` (defect); scenario options ``A`` and ``B`` map to
BLACK and RED.
"""

from __future__ import annotations

import re
import string
import unicodedata

__all__ = [
    "BLACK",
    "RED",
    "parse_choice",
    "parse_vote",
    "parse_recommendation",
    "parse_opinion",
    "parse_willingness",
    "strip_thinking",
    "to_printable",
]

BLACK = "BLACK"
RED = "RED"

_PRINTABLE = set(string.printable) - {"\x0b", "\x0c"}

# Option words: colour names, option letters, and the study's numeric variant (1 = A, 2 = B).
_OPTION = r"(?:option\s+|choice\s+)?(?:\[\s*)?(black|red|a|b|1|2)(?:\s*\])?(?![a-z0-9])"
_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever|\bagainst|\bavoid|\brather than|\binstead of|\bover)\s+"
    r"(?:(?:vote|voting|choose|choosing|pick|picking|go|going|select|back|support|play|for|with|option)\s+){0,2}$"
)
_THINK = re.compile(r"<think(?:ing)?>.*?</think(?:ing)?>", re.S | re.I)
_UNCLOSED_THINK = re.compile(r"^.*?</think(?:ing)?>", re.S | re.I)
_MARKUP = re.compile(r"[*_`#>]+")

_COOPERATE_WORDS = re.compile(r"\b(cooperat\w*|collaborat\w*|trust\w*|mutual benefit)\b", re.I)
_DEFECT_WORDS = re.compile(r"\b(defect\w*|betray\w*|retaliat\w*|protect ourselves|self-interest)\b", re.I)


def to_printable(text: str) -> str:
    """Return ``text`` folded to printable ASCII (accents dropped, other characters removed)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = folded.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    folded = folded.replace("\u2014", "-").replace("\u2013", "-").replace("\u00d7", "x")
    return "".join(ch for ch in folded if ch in _PRINTABLE)


def strip_thinking(text: str) -> str:
    """Remove ``<think>...</think>`` blocks (and an unopened block that ends in ``</think>``)."""
    text = _THINK.sub(" ", text or "")
    if re.search(r"</think(?:ing)?>", text, re.I):
        text = _UNCLOSED_THINK.sub(" ", text)
    return text


def _clean(text: str) -> str:
    return _MARKUP.sub(" ", strip_thinking(to_printable(text or "")))


def _word_to_choice(word: str) -> str | None:
    word = word.lower()
    if word in ("black", "a", "1"):
        return BLACK
    if word in ("red", "b", "2"):
        return RED
    return None


def _field_choice(text: str, fields: str) -> str | None:
    """The option given on the last ``FIELD: option`` line for one of ``fields`` (a regex alternation)."""
    pattern = re.compile(rf"\b(?:{fields})\b\s*(?:[:=]|->|-|\bis\b)\s*:?\s*{_OPTION}", re.I)
    found = None
    for match in pattern.finditer(text):
        found = _word_to_choice(match.group(1))
    return found


def _natural_choice(text: str) -> str | None:
    """'I vote black', 'I'd go with option A', 'my vote goes to RED' ... (last one wins, negations skipped)."""
    verbs = r"(?:vote|voting|choose|choosing|pick|picking|select|recommend|recommending|support|back|go|going|stick|opt|cast)"
    pattern = re.compile(
        rf"\b{verbs}\b(?:\s+(?:goes to|goes for|is for|is|for|with|on|to|my vote for|a vote for))?\s*(?:the\s+)?"
        rf"(?:option\s+|choice\s+)?(black|red|[ab])(?![a-z0-9'])",
        re.I,
    )
    found = None
    for match in pattern.finditer(text):
        letter = match.group(1)
        if letter.lower() in ("a", "b") and not re.search(r"(option|choice)\s+$", text[: match.start(1)], re.I):
            # a bare 'a' after a verb is usually the article ("choose a strategy"); require 'option A' or capitals
            if letter != letter.upper() or text[match.end(1) : match.end(1) + 1].isalpha():
                continue
        if _NEGATION.search(text[max(0, match.start() - 30) : match.start()].lower()):
            continue
        found = _word_to_choice(letter)
    return found


def _last_colour(text: str) -> str | None:
    """The last non-negated mention of RED or BLACK."""
    found = None
    for match in re.finditer(r"\b(black|red)\b", text, re.I):
        if _NEGATION.search(text[max(0, match.start() - 30) : match.start()].lower()):
            continue
        found = _word_to_choice(match.group(1))
    return found


def _keyword_choice(text: str) -> str | None:
    coop = bool(_COOPERATE_WORDS.search(text))
    defect = bool(_DEFECT_WORDS.search(text))
    if coop != defect:
        return BLACK if coop else RED
    return None


def parse_choice(text: str, fields: str = r"final\s+vote|vote|recommendation|decision|choice|answer") -> str | None:
    """Read BLACK or RED from a reply, trying explicit fields, then phrases, then colour mentions, then keywords.

    Args:
        text: the raw reply (markdown, thinking blocks and Unicode are tolerated).
        fields: a regex alternation of field names that carry the answer, most trusted first.

    Returns:
        ``"BLACK"``, ``"RED"``, or ``None`` when the reply does not say.
    """
    clean = _clean(text)
    for field in fields.split("|"):
        choice = _field_choice(clean, field)
        if choice:
            return choice
    return _natural_choice(clean) or _last_colour(clean) or _keyword_choice(clean)


def parse_vote(text: str) -> str | None:
    """The final vote in a reply (``VOTE: BLACK``, ``VOTE: A``, 'I vote red', ...), or ``None``."""
    return parse_choice(text, r"final\s+vote|vote|decision|choice|answer|recommendation")


def parse_recommendation(text: str) -> str | None:
    """The recommendation in an opinion reply (``RECOMMENDATION: RED``, ...), or ``None``."""
    return parse_choice(text, r"recommendation|recommend|vote|decision|choice|answer")


def parse_opinion(text: str) -> tuple[str | None, str]:
    """Split an opinion reply into (recommendation, reasoning text to broadcast).

    The reasoning is the text after ``REASONING:`` (up to a trailing ``VOTE:`` line); without that
    field it is the whole reply minus the RECOMMENDATION/VOTE lines.
    """
    clean = strip_thinking(to_printable(text or "")).strip()
    choice = parse_recommendation(clean)
    match = re.search(r"reasoning\s*[:\-]\s*(.*)", clean, re.I | re.S)
    body = match.group(1).lstrip("*_ \t") if match else clean
    lines = [
        line
        for line in body.splitlines()
        if not re.match(r"^\W*(recommendation|final\s+vote|vote)\W*\s*[:\-]", line.strip(), re.I)
    ]
    reasoning = " ".join(" ".join(lines).split())
    return choice, reasoning


_NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3}


def parse_willingness(text: str) -> int | None:
    """Willingness to speak, 0-3, from ``WILLINGNESS: 2``, a lone digit, or a number word; else ``None``."""
    clean = _clean(text)
    match = re.search(r"willing\w*\s*(?:to speak)?\s*(?:is|=|:|-)?\s*\[?\s*([0-3]|zero|one|two|three)\b", clean, re.I)
    if match:
        token = match.group(1).lower()
        return int(token) if token.isdigit() else _NUMBER_WORDS[token]
    stripped = clean.strip().strip(".[]()")
    if stripped in ("0", "1", "2", "3"):
        return int(stripped)
    if stripped.lower() in _NUMBER_WORDS:
        return _NUMBER_WORDS[stripped.lower()]
    return None
