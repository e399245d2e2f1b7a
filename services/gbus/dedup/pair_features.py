"""The feature vector of a pair of reports, for the learned pair scorer.

Every feature is something a clerk can check by reading the two reports:
how much text they share (weighted words, character 4-grams of the folded
words, so that typos, missing diacritics and word-order changes still
overlap), the named places, numbered places and problems they share or
contradict, whether one names the other's ward, the reporter, the category,
the time between them. Pure: no I/O; `scorer.py` weighs them.

Ward and category are evidence here, not gates (issue 11): a neighbour's
report about the boundary street and a clerk's different category choice
both occur inside real grievances.
"""

from __future__ import annotations

import math

from gbus.dedup.compat import categories_compatible
from gbus.dedup.features import split_name
from gbus.dedup.gazetteer import ward_names
from gbus.dedup.matcher import Evidence, Profile, gather, names_agree

# Name, and why it may matter (shown in the training report and docs/dedup.md).
FEATURES: tuple[tuple[str, str], ...] = (
    ("text_dice", "weighted word and word-pair Dice"),
    ("text_containment", "weighted overlap over the shorter report"),
    ("char_cosine", "cosine of character 4-grams of the folded words"),
    ("near_copy", "text Dice >= 0.6: copied across channels"),
    ("char_cosine_sq", "squared char cosine: only near-copies score high"),
    ("shared_concept", "the same grievance concept (ngap, no_luong...)"),
    ("concept_conflict", "both name problems, none in common"),
    ("name_match", "the same named place or organisation"),
    ("name_partial", "one mentions the other's place in passing"),
    ("name_conflict", "different named places"),
    ("any_name_shared", "some place or organisation named by both"),
    ("typed_name_conflict", "two streets (or two markets, companies...) and none in common"),
    ("number_match", "the same alley, parcel, hamlet or group number"),
    ("number_conflict", "different alley, parcel, hamlet or group"),
    ("house_conflict", "different house numbers"),
    ("place_and_problem", "the same problem at the same place"),
    ("same_quantity", "the same fact: 40 cm, 50 triệu (a value above 12)"),
    ("same_small_quantity", "the same small count: 3 tháng, 11 giờ (often equal by chance)"),
    ("quantity_conflict", "the same unit, only different values"),
    ("same_reporter", "the same reporter key"),
    ("other_reporter", "two different known reporters"),
    ("same_category", "the same category"),
    ("related_category", "related categories (a flooded street: traffic or water)"),
    ("same_ward", "the same ward"),
    ("ward_unknown", "ward missing on one side"),
    ("ward_mentioned", "one names the other's ward"),
    ("other_ward", "different wards, neither named by the other"),
    ("days_apart", "log time gap, 1.0 = 90 days"),
    ("same_kind", "the same kind"),
    ("both_gop_y", "two opinions on one draft"),
    ("text_x_anchor", "char cosine when a place or reporter is shared"),
    ("text_x_conflict", "char cosine when the places conflict: a copied complaint about another street"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(name for name, _ in FEATURES)
_WINDOW_DAYS = 90.0
_SMALL_COUNT = 12


def char_cosine(a: Profile, b: Profile) -> float:
    small, large = (a.grams, b.grams) if len(a.grams) <= len(b.grams) else (b.grams, a.grams)
    if not small:
        return 0.0
    dot = sum(small[g] * large[g] for g in small.keys() & large.keys())
    return dot / (a.gram_norm * b.gram_norm)


def mentions_ward(mentions: frozenset[str], ward: str | None) -> bool:
    return bool(ward) and not mentions.isdisjoint(ward_names(ward))


def compare_typed_names(a: Profile, b: Profile) -> tuple[bool, bool]:
    """(some name of one agrees with some name of the other, both name a
    place of one kind — street, market, company — and none of them agree).
    One report names the street, another the market across it: no conflict;
    two different streets are."""
    names_a = [n for n in a.features.names if not n.startswith("~:")]
    names_b = [n for n in b.features.names if not n.startswith("~:")]
    if not names_a or not names_b:
        return False, False
    any_shared = any(names_agree(x, y) for x in a.features.names for y in b.features.names)
    kinds_a = {split_name(n)[0] for n in names_a} - {""}
    kinds_b = {split_name(n)[0] for n in names_b} - {""}
    conflict = False
    for kind in kinds_a & kinds_b:
        of_a = [n for n in names_a if split_name(n)[0] == kind]
        of_b = [n for n in names_b if split_name(n)[0] == kind]
        if not any(names_agree(x, y) for x in of_a for y in of_b):
            conflict = True
    return any_shared, conflict and not any_shared


def compare_quantities(a: Profile, b: Profile) -> tuple[str, bool]:
    """("large"/"small"/"" for the most specific quantity in both, whether a
    unit both use has no value in common). Counts up to 12 (months, hours,
    times) coincide between two incidents far more often than "65 cm"."""
    qa, qb = a.quantities, b.quantities
    if not qa or not qb:
        return "", False
    shared = qa & qb
    units_a = {q.split()[1] for q in qa}
    units_b = {q.split()[1] for q in qb}
    conflict = not shared and bool(units_a & units_b)
    if not shared:
        return "", conflict
    large = any(int(q.split()[0]) > _SMALL_COUNT for q in shared if q.split()[0].isdigit())
    return ("large" if large else "small"), conflict


def pair_vector(query: Profile, candidate: Profile, ev: Evidence | None = None) -> list[float]:
    """Values in FEATURE_NAMES order; most are 0/1, text measures in 0..1."""
    ev = ev or gather(query, candidate)
    shared_qty, qty_conflict = compare_quantities(query, candidate)
    any_shared, typed_conflict = compare_typed_names(query, candidate)
    cosine = char_cosine(query, candidate)
    known_wards = query.ward is not None and candidate.ward is not None
    mentioned = (
        mentions_ward(query.mentions, candidate.ward)
        or mentions_ward(candidate.mentions, query.ward)
        or (
            not query.areas.isdisjoint(candidate.areas)  # both name the same third ward
        )
    )
    both_reporters = query.reporter != 0 and candidate.reporter != 0
    place_shared = ev.names == "match" or ev.numbers == "match"
    anchored = place_shared or ev.same_reporter
    conflicting = ev.names == "conflict" or ev.numbers in ("conflict", "house_conflict") or typed_conflict
    days = abs((query.submitted_at - candidate.submitted_at).total_seconds()) / 86400
    same_category = query.category == candidate.category
    values = {
        "text_dice": ev.dice,
        "text_containment": ev.containment,
        "char_cosine": cosine,
        "near_copy": float(ev.dice >= 0.6),
        "char_cosine_sq": cosine * cosine,
        "shared_concept": float(bool(ev.shared_concepts)),
        "concept_conflict": float(ev.concept_conflict),
        "name_match": float(ev.names == "match"),
        "name_partial": float(ev.names == "partial"),
        "name_conflict": float(ev.names == "conflict"),
        "any_name_shared": float(any_shared),
        "typed_name_conflict": float(typed_conflict),
        "number_match": float(ev.numbers == "match"),
        "number_conflict": float(ev.numbers == "conflict"),
        "house_conflict": float(ev.numbers == "house_conflict"),
        "place_and_problem": float(bool(ev.shared_concepts) and (ev.names == "match" or ev.numbers == "match")),
        "same_quantity": float(shared_qty == "large"),
        "same_small_quantity": float(shared_qty == "small"),
        "quantity_conflict": float(qty_conflict),
        "same_reporter": float(ev.same_reporter),
        "other_reporter": float(both_reporters and not ev.same_reporter),
        "same_category": float(same_category),
        "related_category": float(not same_category and categories_compatible(query.category, candidate.category)),
        "same_ward": float(ev.same_ward),
        "ward_unknown": float(not known_wards),
        "ward_mentioned": float(mentioned),
        "other_ward": float(known_wards and not ev.same_ward and not mentioned),
        "days_apart": min(math.log1p(days) / math.log1p(_WINDOW_DAYS), 1.5),
        "same_kind": float(query.kind == candidate.kind),
        "both_gop_y": float(ev.both_gop_y),
        "text_x_anchor": cosine if anchored else 0.0,
        "text_x_conflict": cosine if conflicting else 0.0,
    }
    return [values[name] for name in FEATURE_NAMES]
