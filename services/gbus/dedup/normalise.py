"""Vietnamese text normalisation for matching (never for display).

Citizens type the same words many ways: with or without tone marks
("Lê Thánh Tôn" / "Le Thanh Ton"), with old or new tone placement
("thuỷ"/"thủy"), in SMS shorthand ("ko dc", "dg", "ubnd"), with units glued to
numbers ("40cm", "4tr"). Normalisation folds all of these to one form so that
the matcher compares words, not keyboards. The original text is kept by the
caller for display; only the folded tokens are indexed.

`normalise(text)` is idempotent: normalising an already-normalised string
gives it back unchanged, so stored fingerprints can be re-read safely.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from gbus.dedup.concepts import synonym_table
from gbus.dedup.lexicon import ABBREVIATIONS, ACCENTED, UNITS_AFTER_NUMBER

SYNONYMS = synonym_table()
# Phrases by first word, longest first: one dict lookup per token.
_SYNONYMS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _phrase, _replacement in sorted(SYNONYMS.items(), key=lambda kv: -len(kv[0])):
    _SYNONYMS_BY_FIRST.setdefault(_phrase[0], []).append((_phrase, _replacement))

# 30.000 / 1.500.000 -> 30000 / 1500000 (thousand separators, not decimals).
_THOUSANDS_RE = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")
# One token: a slashed house number "88/5", a number, "m2" glued to a number,
# a run of letters, or a sentence break (kept to know where a sentence starts).
_TOKEN_RE = re.compile(r"\d+(?:/\d+)+|\d+|(?:(?<=\d)|\b)m2(?![^\W\d_])|[^\W\d_]+|[.!?:;\n]")
_SENTENCE_BREAKS = frozenset(".!?:;\n")


class Token(NamedTuple):
    """A folded token with the surface facts the entity extractor needs.
    (A NamedTuple: texts are tokenised per report on the hot path.)"""

    text: str  # folded: lower case ASCII letters/digits, e.g. "duong"
    cap: bool = False  # written with a capital letter
    start: bool = False  # first word of a sentence (capital says nothing there)
    accented: str = ""  # the lower-case original when it carried diacritics
    glued: bool = False  # written right after the previous token ("40cm")
    brk: bool = False  # punctuation before it: "Lê Lợi - Pasteur" are two names
    initial: bool = False  # a capital letter and a dot: "Nguyễn Văn K."

    @property
    def is_number(self) -> bool:
        return self.text[:1].isdigit()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip tone marks and diacritics, `đ` -> `d`."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d")


def _surface_tokens(text: str) -> list[Token]:
    text = unicodedata.normalize("NFC", text)
    text = _THOUSANDS_RE.sub("", text)
    tokens: list[Token] = []
    at_start = True
    previous_raw = ""
    previous_end = -1
    for match in _TOKEN_RE.finditer(text):
        raw = match.group()
        if raw in _SENTENCE_BREAKS:
            # "P. Bến Thành", "TP. HCM", "ông K. nói": a dot after one or two
            # letters ends an abbreviation or an initial, not a sentence.
            if not (raw == "." and 0 < len(previous_raw) <= 2 and previous_raw.isalpha()):
                at_start = True
            if raw == "." and len(previous_raw) == 1 and previous_raw.isupper() and tokens:
                last = tokens[-1]
                tokens[-1] = last._replace(cap=True, initial=True)
            previous_raw = raw
            previous_end = match.end()
            continue
        previous_raw = raw
        lower = raw.lower()
        folded = fold(lower)
        accented = lower if folded != lower else ""
        if accented in ACCENTED:
            folded = ACCENTED[accented]
        glued = match.start() == previous_end
        brk = at_start or bool(text[max(previous_end, 0) : match.start()].strip())
        previous_end = match.end()
        # positional: a NamedTuple built with keywords costs twice as much, once per word
        tokens.append(Token(folded, raw[0].isupper(), at_start, accented, glued, brk))
        at_start = False
    return tokens


def _is_initial(tokens: list[Token], i: int) -> bool:
    """A capital letter with a dot is a person's initial ("ông Cao Văn P."),
    unless a name or number follows it ("P. Bến Thành", "Q.1")."""
    tok = tokens[i]
    if not tok.initial:
        return False
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    return following is None or not (following.cap or following.is_number) or following.start


def _expand(tokens: list[Token]) -> list[Token]:
    """Units after numbers, then abbreviations and SMS spellings."""
    out: list[Token] = []
    previous_is_number = False
    for i, tok in enumerate(tokens):
        text = tok.text
        if previous_is_number and tok.glued and text in UNITS_AFTER_NUMBER:
            out.append(Token(UNITS_AFTER_NUMBER[text], start=tok.start, brk=tok.brk))
        elif _is_initial(tokens, i):
            out.append(tok)  # kept only to mark the name before it as a person's
        elif text in ABBREVIATIONS:
            # Matched on the folded form, so that normalising twice changes
            # nothing ("kơ" folds to "ko"); "đ" alone is "Đ." (đường).
            for j, part in enumerate(ABBREVIATIONS[text].split()):
                out.append(Token(part, cap=tok.cap, start=tok.start and j == 0, brk=tok.brk and j == 0))
        else:
            out.append(tok)
        previous_is_number = tok.is_number
    return out


def _canonicalise(tokens: list[Token]) -> list[Token]:
    """Replace synonymous phrases by their canonical form until nothing changes
    (a replacement may complete another phrase: "ngap nuoc sau" -> "ngap sau"
    -> "ngap"), which is what makes normalisation idempotent."""
    for _ in range(4):
        replaced = _canonicalise_once(tokens)
        if [t.text for t in replaced] == [t.text for t in tokens]:
            return replaced
        tokens = replaced
    return tokens


def _canonicalise_once(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    n = len(tokens)
    texts = [t.text for t in tokens]
    while i < n:
        first = tokens[i]
        for phrase, replacement in _SYNONYMS_BY_FIRST.get(first.text, ()):  # longest first
            length = len(phrase)
            if length == 1 or tuple(texts[i : i + length]) == phrase:
                out.extend(
                    Token(
                        w,
                        cap=first.cap and j == 0,
                        start=first.start and j == 0,
                        brk=first.brk and j == 0,
                        accented=first.accented if length == 1 else "",
                    )
                    for j, w in enumerate(replacement)
                )
                i += length
                break
        else:
            out.append(first)
            i += 1
    return out


def normalise_tokens(text: str) -> list[Token]:
    """Fold, expand and canonicalise `text` into tokens for matching."""
    return _canonicalise(_expand(_surface_tokens(text)))


def normalise(text: str) -> str:
    """The folded, expanded, canonical form of `text` as one string.

    >>> normalise("UBND P. Bến Thành ko xử lý dc")
    'uy ban nhan dan phuong ben thanh khong xu ly duoc'
    """
    return " ".join(t.text for t in normalise_tokens(text) if not t.initial)
