"""The precise comparison of two reports: evidence, score and reasons.

Candidates come from the index (same shard, compatible ward, kind, category
and window); this module decides how alike two of them are. The score is a
logistic combination of a few kinds of evidence, each of which a clerk can
check by reading the two reports:

- what: weighted overlap of content words and syllable pairs, with the
  grievance concepts (ngập, nợ lương, sổ đỏ...) counting double;
- concept: whether the two name the same problem (or two different ones);
- where/who: named places and organisations, numbered alleys, parcels,
  hamlets — agreeing, or conflicting ("hẻm 12" vs "hẻm 88");
- context: the same reporter (keyed hash), the same category, a known ward.

Every term's contribution becomes a reason string, so a decision can be
explained and a wrong one traced to the evidence that caused it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from gbus.dedup.concepts import CONCEPTS, PROBLEM_CONCEPTS
from gbus.dedup.features import TextFeatures, split_name
from gbus.dedup.lexicon import KIND_FAMILY, WEAK_WORDS

_CONCEPT_TOKENS = frozenset(CONCEPTS)
# Number classes that name a place exactly; a different house number on one
# street is often the same stretch ("số 120-150" vs "gần số 130").
_EXACT_NUMBER_CLASSES = frozenset(
    {"alley", "parcel", "sheet", "group", "hamlet", "street", "quarter", "lot", "building"}
)
_HOUSE_TOLERANCE = 0.25
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

    def __post_init__(self) -> None:
        found = terms(self.features)
        object.__setattr__(self, "terms", found)
        object.__setattr__(self, "weight", sum(found.values()))
        object.__setattr__(self, "concepts", frozenset(t for t in self.features.topic if t in PROBLEM_CONCEPTS))


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


@dataclass(frozen=True, slots=True)
class Weights:
    """Log-odds contributions. Fitted by logistic regression on the labelled
    pairs of the development corpus, then rounded (docs/dedup.md)."""

    bias: float = -1.2
    dice: float = 1.0
    containment: float = 1.0
    # Copy-pasted or re-sent text: Dice >= near_copy_at on content terms.
    near_copy: float = 2.0
    near_copy_at: float = 0.6
    shared_concept: float = 0.5
    concept_conflict: float = -2.0
    # The same named or numbered place AND the same problem: the conjunction
    # is far stronger evidence than either alone (a street has many
    # grievances, a ward has many floods; one street rarely has two floods).
    place_and_problem: float = 1.5
    name_match: float = 1.0
    name_partial: float = 0.3
    name_conflict: float = -3.0
    number_match: float = 1.0
    number_conflict: float = -4.0
    house_conflict: float = -2.5
    same_reporter: float = 1.0
    other_category: float = -1.0
    unknown_ward: float = -0.2
    gop_y: float = -0.7
    # Neither a shared place (name, number) nor the same reporter: the text
    # alone must carry the match ("mưa là ngập, nước vô nhà" fits every
    # flooded street of a ward).
    no_anchor: float = -0.8
    # Different places are never linked automatically, however alike the
    # text (a template letter, a copied complaint): at most flagged for review.
    place_conflict_cap: float = 0.45


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class PairScore:
    score: float
    reasons: tuple[str, ...]
    evidence: Evidence


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
    shared = sum(w for t, w in small.items() if t in large)
    return 2 * shared / (a.weight + b.weight), shared / min(a.weight, b.weight)


def _names_agree(a: str, b: str) -> bool:
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
            found = any(_names_agree(primary, n) for n in weak)
        else:  # two lower-case messages: the same run of syllables
            found = bool({split_name(n)[1] for n in a.names} & {split_name(n)[1] for n in b.names})
        return ("match", split_name(primary or weak[0])[1], None) if found else ("none", None, None)
    a_found = any(_names_agree(primary_a, n) for n in b.names)
    b_found = any(_names_agree(primary_b, n) for n in a.names)
    if a_found and b_found:
        return "match", split_name(primary_a)[1], None
    if a_found or b_found:
        return "partial", None, None
    return "conflict", None, (split_name(primary_a)[1], split_name(primary_b)[1])


def _numbers_by_class(numbers: tuple[str, ...]) -> dict[str, set[str]]:
    by_class: dict[str, set[str]] = defaultdict(set)
    for item in numbers:
        cls, _, value = item.partition("=")
        by_class[cls].add(value)
    return by_class


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
    return abs(x - y) <= _HOUSE_TOLERANCE * max(x, y)


def _compare_numbers(a: TextFeatures, b: TextFeatures) -> tuple[str, str | None]:
    na, nb = _numbers_by_class(a.numbers), _numbers_by_class(b.numbers)
    common = sorted(set(na) & set(nb))
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
    numbers, number_detail = _compare_numbers(qa, ca)
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
        both_gop_y=query.kind == "gop_y" and candidate.kind == "gop_y",
    )


def score_evidence(ev: Evidence, w: Weights = DEFAULT_WEIGHTS) -> PairScore:
    parts: list[tuple[float, str]] = [
        (
            w.dice * ev.dice + w.containment * ev.containment,
            f"text overlap {ev.dice:.2f} (containment {ev.containment:.2f})",
        ),
    ]
    if ev.dice >= w.near_copy_at:
        parts.append((w.near_copy, "nearly the same text"))
    if ev.shared_concepts:
        parts.append((w.shared_concept, f"same problem: {', '.join(ev.shared_concepts[:3])}"))
    if ev.concept_conflict:
        parts.append((w.concept_conflict, "different problems named"))
    if ev.names == "match":
        parts.append((w.name_match, f"same place/organisation: {ev.matched_name}"))
    elif ev.names == "partial":
        parts.append((w.name_partial, "one mentions the other's place in passing"))
    elif ev.names == "conflict" and ev.conflicting_names:
        parts.append((w.name_conflict, f"different places: {ev.conflicting_names[0]} vs {ev.conflicting_names[1]}"))
    if ev.numbers == "match":
        parts.append((w.number_match, f"same numbered place: {ev.number_detail}"))
    elif ev.numbers == "conflict":
        parts.append((w.number_conflict, f"different numbered places: {ev.number_detail}"))
    elif ev.numbers == "house_conflict":
        parts.append((w.house_conflict, f"different house numbers: {ev.number_detail}"))
    if ev.shared_concepts and (ev.names == "match" or ev.numbers == "match"):
        parts.append((w.place_and_problem, "same problem at the same place"))
    if ev.same_reporter:
        parts.append((w.same_reporter, "same reporter"))
    if not ev.same_category:
        parts.append((w.other_category, "related but different category"))
    if not ev.same_ward and not ev.both_gop_y:  # opinions on a draft have no ward
        parts.append((w.unknown_ward, "ward unknown on one side"))
    if ev.both_gop_y:
        parts.append((w.gop_y, "opinions on one draft share its words"))
    # Opinions on one draft are anchored by the draft itself (same subject agency).
    anchored = ev.names == "match" or ev.numbers == "match" or ev.same_reporter or ev.both_gop_y
    if not anchored:
        parts.append((w.no_anchor, "no shared place or reporter"))
    z = w.bias + sum(value for value, _ in parts)
    score = 1.0 / (1.0 + math.exp(-z))
    if ev.names == "conflict" or ev.numbers in ("conflict", "house_conflict"):
        score = min(score, w.place_conflict_cap)
    reasons = tuple(f"{text} ({value:+.1f})" for value, text in parts if abs(value) >= 0.05)
    return PairScore(score=score, reasons=reasons, evidence=ev)


def compare(query: Profile, candidate: Profile, weights: Weights = DEFAULT_WEIGHTS) -> PairScore:
    return score_evidence(gather(query, candidate), weights)
