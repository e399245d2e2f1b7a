"""The evidence two reports share or contradict, read from their features.

Candidates come from the index (same shard, kind, window); this module says
how alike two of them are, in terms a clerk can check by reading them:

- what: weighted overlap of content words and syllable pairs, with the
  grievance concepts (ngập, nợ lương, sổ đỏ...) counting double;
- concept: whether the two name the same problem (or two different ones);
- where/who: named places and organisations, numbered alleys, parcels,
  hamlets — agreeing, or conflicting ("hẻm 12" vs "hẻm 88");
- context: the same reporter (keyed hash), the same category and ward.

`pair_features.py` turns this evidence into numbers and `scorer.py` weighs
them with the learned model.
"""

from __future__ import annotations

import math
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import chain

from rapidfuzz import fuzz

from gbus.dedup.concepts import CONCEPTS, PROBLEM_CONCEPTS
from gbus.dedup.features import TextFeatures, split_name
from gbus.dedup.lexicon import KIND_FAMILY, WEAK_WORDS
from gbus.domain.kinds import is_draft_opinion

_CONCEPT_TOKENS = frozenset(CONCEPTS)
# Number classes that name a place exactly; a different house number on one
# street is often the same stretch ("số 120-150" vs "gần số 130").
_EXACT_NUMBER_CLASSES = frozenset(
    {"alley", "parcel", "sheet", "group", "hamlet", "street", "quarter", "lot", "building"}
)
_HOUSE_TOLERANCE = 0.25
_HOUSE_TOLERANCE_FROM = 20
_NAME_FUZZ = 88  # rapidfuzz ratio for a typo in a name ("Nguyen Hye")


@dataclass(frozen=True, slots=True)
class Profile:
    """What the matcher knows of one report. Derived term weights are
    computed once here: a profile is compared with dozens of others."""

    features: TextFeatures
    ward: str | None
    kind: str
    category: str
    subject_agency: str | None
    reporter: int  # key64 of the reporter_key; 0 when unknown
    submitted_at: datetime
    terms: dict[str, float] = field(init=False, repr=False, compare=False)
    weight: float = field(init=False, repr=False, compare=False)
    concepts: frozenset[str] = field(init=False, repr=False, compare=False)
    grams: dict[str, float] = field(init=False, repr=False, compare=False)
    gram_norm: float = field(init=False, repr=False, compare=False)
    # Place names the text mentions, including other wards ("giáp phường X")
    mentions: frozenset[str] = field(init=False, repr=False, compare=False)
    areas: frozenset[str] = field(init=False, repr=False, compare=False)  # wards named after "phường/xã"
    quantities: frozenset[str] = field(init=False, repr=False, compare=False)  # "40 cm", "3 thang"
    # Numbered places by class ("alley" -> {"12"}), read by every comparison
    numbered: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        found = terms(self.features)
        object.__setattr__(self, "terms", found)
        object.__setattr__(self, "weight", sum(found.values()))
        object.__setattr__(self, "concepts", PROBLEM_CONCEPTS.intersection(self.features.topic))
        grams = char_grams(self.features.topic)
        object.__setattr__(self, "grams", grams)
        values = grams.values()  # the same sum, term by term, as a generator of v * v gives
        object.__setattr__(self, "gram_norm", math.sqrt(sum(map(operator.mul, values, values))) or 1.0)
        areas = {n.partition("=")[2] for n in self.features.numbers if n.startswith("area=")}
        names = {split_name(n)[1] for n in self.features.names}
        object.__setattr__(self, "areas", frozenset(areas))
        object.__setattr__(self, "mentions", frozenset(areas | names))
        quantities = frozenset(n[4:] for n in self.features.numbers if n.startswith("qty="))
        object.__setattr__(self, "quantities", quantities)
        object.__setattr__(self, "numbered", _numbers_by_class(self.features.numbers))


def char_grams(words: tuple[str, ...], n: int = 4) -> dict[str, float]:
    """Character n-grams of the folded content words, each word padded, with
    sublinear counts: "ngap"/"ngapp"/"ngập" typed three ways still overlap.

    Built once per profile, for every indexed candidate a decision reads, so
    it is the hot path: the grams of a word come from a cache, `Counter`
    counts them in C (keeping first-seen order, as a dict built by hand
    does), and the sublinear weights of small counts come from a table of
    the very same floats `1.0 + math.log(c)`."""
    if n != 4:
        return _char_grams_slow(words, n)
    counts = Counter(chain.from_iterable(map(_word_grams, words)))
    if not counts or max(counts.values()) >= _SUBLINEAR_SIZE:
        return {g: 1.0 + math.log(c) for g, c in counts.items()}
    return dict(zip(counts, map(_SUBLINEAR.__getitem__, counts.values())))


_SUBLINEAR_SIZE = 256
_SUBLINEAR = [0.0] + [1.0 + math.log(c) for c in range(1, _SUBLINEAR_SIZE)]


@lru_cache(maxsize=16384)  # folded words recur; ~5 MB at most
def _word_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i : i + 4] for i in range(max(1, len(padded) - 3)))


def _char_grams_slow(words: tuple[str, ...], n: int) -> dict[str, float]:
    counts: dict[str, int] = {}
    for word in words:
        padded = f" {word} "
        for i in range(max(1, len(padded) - n + 1)):
            gram = padded[i : i + n]
            counts[gram] = counts.get(gram, 0) + 1
    return {g: 1.0 + math.log(c) for g, c in counts.items()}


@dataclass(frozen=True, slots=True)
class Evidence:
    dice: float
    containment: float
    shared_concepts: tuple[str, ...]
    concept_conflict: bool
    names: str  # "match" | "partial" | "conflict" | "none"
    matched_name: str | None
    conflicting_names: tuple[str, str] | None
    numbers: str  # "match" | "conflict" | "house_conflict" | "none"
    number_detail: str | None
    same_reporter: bool
    same_category: bool
    same_ward: bool
    both_gop_y: bool


def terms(features: TextFeatures) -> dict[str, float]:
    """Weighted content terms: words and adjacent word pairs. A grievance
    concept counts double and an everyday word half."""
    words = features.topic
    out: dict[str, float] = {}
    for word in words:
        out[word] = 2.0 if word in _CONCEPT_TOKENS else (0.5 if word in WEAK_WORDS else 1.0)
    for first, second in zip(words, words[1:]):
        if first != second:
            out[f"{first} {second}"] = 1.0
    return out


def _text_overlap(a: Profile, b: Profile) -> tuple[float, float]:
    if not a.terms or not b.terms:
        return 0.0, 0.0
    small, large = (a.terms, b.terms) if len(a.terms) <= len(b.terms) else (b.terms, a.terms)
    shared = sum([w for t, w in small.items() if t in large])  # a list: the same sum, in the same order, sooner
    return 2 * shared / (a.weight + b.weight), shared / min(a.weight, b.weight)


@lru_cache(maxsize=65536)
def names_agree(a: str, b: str) -> bool:
    """Whether two "kind:name" entries name one place; cached because a
    decision compares the same few names with up to 16 candidates' names."""
    kind_a, text_a = split_name(a)
    kind_b, text_b = split_name(b)
    kind_a, kind_b = kind_a.strip("~"), kind_b.strip("~")
    if kind_a and kind_b and kind_a != kind_b and KIND_FAMILY.get(kind_a, kind_a) != KIND_FAMILY.get(kind_b, kind_b):
        return False  # "chợ Bến Thành" is not "cồn Bến Thành"; a school may be of any level
    if kind_a and kind_b and kind_a != kind_b and kind_a in KIND_FAMILY and kind_b in KIND_FAMILY:
        return False  # but a primary school is not a secondary school
    words_a, words_b = set(text_a.split()), set(text_b.split())
    return words_a <= words_b or words_b <= words_a or fuzz.ratio(text_a, text_b) >= _NAME_FUZZ


def _compare_names(a: TextFeatures, b: TextFeatures) -> tuple[str, str | None, tuple[str, str] | None]:
    """Both must mention what the other is mainly about: "Pasteur" appearing
    as the end of another street's flooded stretch is not the same place.
    Weak names (read from lower-case messages) may confirm, never conflict."""
    if not a.names or not b.names:
        return "none", None, None
    primary_a, primary_b = a.primary_name, b.primary_name
    if primary_a is None or primary_b is None:
        weak = a.names if primary_a is None else b.names
        primary = primary_b if primary_a is None else primary_a
        if primary is not None:
            found = any(names_agree(primary, n) for n in weak)
        else:  # two lower-case messages: the same run of syllables
            found = bool({split_name(n)[1] for n in a.names} & {split_name(n)[1] for n in b.names})
        return ("match", split_name(primary or weak[0])[1], None) if found else ("none", None, None)
    a_found = any(names_agree(primary_a, n) for n in b.names)
    b_found = any(names_agree(primary_b, n) for n in a.names)
    if a_found and b_found:
        return "match", split_name(primary_a)[1], None
    if a_found or b_found:
        return "partial", None, None
    return "conflict", None, (split_name(primary_a)[1], split_name(primary_b)[1])


def _numbers_by_class(numbers: tuple[str, ...]) -> dict[str, frozenset[str]]:
    by_class: dict[str, set[str]] = defaultdict(set)
    for item in numbers:
        cls, _, value = item.partition("=")
        if cls not in ("area", "qty"):  # a ward mentioned and a quantity are not numbered places
            by_class[cls].add(value)
    return {cls: frozenset(values) for cls, values in by_class.items()}


def _number_values_agree(cls: str, a: str, b: str) -> bool:
    if a == b:
        return True
    if cls != "house":
        return False
    head_a, head_b = a.split("/")[0], b.split("/")[0]
    if "/" in a or "/" in b:
        # "88/5" is in alley 88: it may be "88"; "12/5" and "12/40" are two houses
        return a.startswith(b + "/") or b.startswith(a + "/")
    x, y = int(head_a), int(head_b)
    if max(x, y) < _HOUSE_TOLERANCE_FROM:
        return False  # "số 9" and "số 10" are two places, not one stretch of street
    return abs(x - y) <= _HOUSE_TOLERANCE * max(x, y)


def _compare_numbers(na: dict[str, frozenset[str]], nb: dict[str, frozenset[str]]) -> tuple[str, str | None]:
    """Numbered places of two profiles (`Profile.numbered`), class by class."""
    if not na or not nb:
        return "none", None
    common = sorted(na.keys() & nb.keys())
    if not common:
        return "none", None
    matched = [c for c in common if any(_number_values_agree(c, x, y) for x in na[c] for y in nb[c])]
    conflicting = [c for c in common if c not in matched]
    # A conflict outweighs a match: "12/5" and "12/40" share alley 12 but are two houses.
    exact_conflicts = [c for c in conflicting if c in _EXACT_NUMBER_CLASSES]
    if exact_conflicts:
        c = exact_conflicts[0]
        return "conflict", f"{c} {'/'.join(sorted(na[c]))} vs {'/'.join(sorted(nb[c]))}"
    if conflicting:
        c = conflicting[0]
        return "house_conflict", f"{c} {'/'.join(sorted(na[c]))} vs {'/'.join(sorted(nb[c]))}"
    c = matched[0]
    return "match", f"{c} {sorted(na[c] & nb[c] or na[c])[0]}"


def gather(query: Profile, candidate: Profile) -> Evidence:
    qa, ca = query.features, candidate.features
    dice, containment = _text_overlap(query, candidate)
    concepts_q, concepts_c = query.concepts, candidate.concepts
    shared = tuple(sorted(concepts_q & concepts_c))
    names, matched_name, conflicting_names = _compare_names(qa, ca)
    numbers, number_detail = _compare_numbers(query.numbered, candidate.numbered)
    return Evidence(
        dice=dice,
        containment=containment,
        shared_concepts=shared,
        concept_conflict=bool(concepts_q and concepts_c and not shared),
        names=names,
        matched_name=matched_name,
        conflicting_names=conflicting_names,
        numbers=numbers,
        number_detail=number_detail,
        same_reporter=query.reporter != 0 and query.reporter == candidate.reporter,
        same_category=query.category == candidate.category,
        same_ward=query.ward is not None and query.ward == candidate.ward,
        both_gop_y=is_draft_opinion(query.kind) and is_draft_opinion(candidate.kind),
    )
