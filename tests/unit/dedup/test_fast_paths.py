"""The dedup engine's fast paths give exactly what the plain computations give.

Each speed-up of the per-report decision (char-gram tables, term weights,
grouped postings lookups, the candidate search, the profile cache) is pinned
here against a slow reference written the obvious way, on the corpora's real
texts or on generated data: a decision must never change for speed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gbus.dedup import DedupConfig, DedupEngine, IndexEntry
from gbus.dedup.concepts import CONCEPTS, PROBLEM_CONCEPTS
from gbus.dedup.engine import profile_of
from gbus.dedup.features import _by_first_word, analyse
from gbus.dedup.index import DRAFT_KINDS, epoch
from gbus.dedup.lexicon import WEAK_WORDS
from gbus.dedup.matcher import char_grams, terms
from gbus.dedup.postings import Postings, fold32
from gbus.dedup.sketch import key64
from gbus.domain.kinds import is_draft_opinion
from gbus.domain.report_fields import report_from_mapping
from gbus.domain.vocabulary import shard_of_province

DATA = Path(__file__).resolve().parents[2] / "data"


def corpus_reports(name: str):
    lines = (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        data = json.loads(line)
        for key in ("cluster", "reporter_phone", "reporter_national_id"):
            data.pop(key, None)
        out.append(report_from_mapping(data))
    return out


@pytest.fixture(scope="module")
def topics():
    reports = corpus_reports("dedup_dev") + corpus_reports("dedup_test")
    return [analyse(r.title, r.description, r.province_code, r.ward_code) for r in reports]


# -- the slow references -------------------------------------------------------------
def reference_char_grams(words, n=4):
    counts: dict[str, int] = {}
    for word in words:
        padded = f" {word} "
        for i in range(max(1, len(padded) - n + 1)):
            gram = padded[i : i + n]
            counts[gram] = counts.get(gram, 0) + 1
    return {g: 1.0 + math.log(c) for g, c in counts.items()}


def reference_terms(words):
    out: dict[str, float] = {}
    for word in words:
        out[word] = 2.0 if word in CONCEPTS else (0.5 if word in WEAK_WORDS else 1.0)
    for first, second in zip(words, words[1:]):
        if first != second:
            out[f"{first} {second}"] = 1.0
    return out


class ReferencePostings:
    """A plain dict of lists: folded key -> rows in the order they were added."""

    def __init__(self) -> None:
        self.buckets: dict[int, list[int]] = {}

    def add(self, keys: np.ndarray, row: int) -> None:
        for key in fold32(keys).tolist():
            self.buckets.setdefault(key, []).append(row)

    def lookup(self, keys: np.ndarray, limit: int) -> list[int]:
        out: list[int] = []
        for key in sorted(set(fold32(keys).tolist())):
            out += sorted(self.buckets.get(key, []))[-limit:]
        return sorted(out)


# -- text tables ---------------------------------------------------------------------
def test_char_grams_are_the_plainly_counted_sublinear_grams_in_the_same_order(topics):
    for features in topics:
        for words in (features.topic, features.topic * 40):  # counts past the log table too
            fast = char_grams(words)
            assert list(fast.items()) == list(reference_char_grams(words).items())
    assert char_grams(()) == {}


def test_term_weights_are_the_plain_weighting_in_the_same_order(topics):
    concept_and_weak = sorted(set(CONCEPTS) & set(WEAK_WORDS))
    for features in topics:
        words = features.topic + tuple(concept_and_weak)
        assert list(terms(features).items()) == list(reference_terms(features.topic).items())
        assert list(terms(type(features)(words, (), ())).items()) == list(reference_terms(words).items())


def test_profile_derived_values_equal_their_definitions():
    for report in corpus_reports("dedup_dev")[:120]:
        profile = profile_of(report)
        grams = reference_char_grams(profile.features.topic)
        assert profile.gram_norm == (math.sqrt(sum(v * v for v in grams.values())) or 1.0)
        assert profile.concepts == frozenset(t for t in profile.features.topic if t in PROBLEM_CONCEPTS)


# -- postings ------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    adds=st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=6), min_size=1, max_size=120),
    groups=st.lists(st.lists(st.integers(0, 45), min_size=1, max_size=8), min_size=1, max_size=5),
    limit=st.integers(1, 6),
    memtable_limit=st.sampled_from([3, 7, 1000]),
    flush=st.booleans(),
)
def test_grouped_lookup_finds_what_one_plain_lookup_per_group_finds(adds, groups, limit, memtable_limit, flush):
    fast, slow = Postings(memtable_limit=memtable_limit), ReferencePostings()
    for row, row_keys in enumerate(adds):
        # Wide keys, so that folding to 32 bits is exercised as well
        wide = np.array([k * 0x1_0000_0001 for k in row_keys], dtype=np.uint64)
        fast.add(wide, row)
        slow.add(wide, row)
    if flush:
        fast.flush()
    arrays = [np.array([k * 0x1_0000_0001 for k in g], dtype=np.uint64) for g in groups]
    rows, group = fast.lookup_groups(arrays, limit)
    for g, keys in enumerate(arrays):
        assert sorted(rows[group == g].tolist()) == slow.lookup(keys, limit)
        assert sorted(fast.lookup(keys, limit).tolist()) == slow.lookup(keys, limit)


# -- the candidate search and the profile cache -----------------------------------
def reference_candidates(index, weighted_keys, *, kind, subject, not_closed_before, limit):
    """The candidate search as first written: one lookup per key group."""
    found = [(index.postings.lookup(keys, index.bucket_limit), w) for keys, w in weighted_keys if keys.size]
    found = [(rows, w) for rows, w in found if rows.size]
    if not found:
        return np.empty(0, dtype=np.int64)
    rows = np.concatenate([r for r, _ in found]).astype(np.int64)
    weights = np.concatenate([np.full(r.size, w) for r, w in found])
    rows, inverse = np.unique(rows, return_inverse=True)
    hits = np.bincount(inverse, weights=weights)
    c = index._cols
    keep = c["alive"][rows].copy()
    is_gop_y = np.isin(c["kind"][rows], DRAFT_KINDS)
    if is_draft_opinion(kind):
        keep &= is_gop_y & (c["subject"][rows] == np.uint64(subject)) & (subject != 0)
    else:
        keep &= ~is_gop_y
    keep &= index.cases.closed_at[c["case"][rows]] >= not_closed_before
    rows, hits = rows[keep], hits[keep]
    return rows[np.lexsort((-rows, -hits))[:limit]]


def test_candidates_and_decisions_equal_the_reference_search_and_an_uncached_scoring():
    """The dev and test splits run through one engine per shard, as the
    processor runs them: at every decision the candidate rows equal the
    plain search's, and the decision is the same with the profile cache
    emptied first (so profiles built at any time score the same)."""
    engines: dict[str, DedupEngine] = {}
    reports = sorted(corpus_reports("dedup_dev") + corpus_reports("dedup_test"), key=lambda r: r.submitted_at)
    compared = linked = 0
    for n, report in enumerate(reports):
        shard = shard_of_province(report.province_code)
        engine = engines.setdefault(shard, DedupEngine(shard, DedupConfig()))
        query = profile_of(report)
        cfg = engine.config
        weighted = engine._keys(
            query.features, report.reporter_key, scopes=engine._scopes(report, query), province_wide=True
        )
        gates = dict(
            kind=report.kind,
            subject=key64("subject", report.subject_agency) if report.subject_agency else 0,
            not_closed_before=epoch(report.submitted_at - cfg.window),
            limit=cfg.max_candidates,
        )
        fast = engine.index.candidates(weighted, **gates)
        assert fast.tolist() == reference_candidates(engine.index, weighted, **gates).tolist()
        compared += fast.size
        cached = engine.decide(report, report.submitted_at)
        engine.index._profiles.clear()
        assert engine.decide(report, report.submitted_at) == cached
        linked += cached.decision == "link"
        case = cached.case_id if cached.decision == "link" else f"{shard}-{n:06d}"
        engine.add_report(IndexEntry.from_report(report, case))
    assert compared > 1000 and linked > 100  # the corpora exercised the search, not an empty index


# -- text analysis ---------------------------------------------------------------------
def test_phrase_groups_are_memoised_per_phrase_tuple_never_across_tuples():
    first = (("ngap",), ("ngap", "nuoc"), ("mat", "dien"))
    second = tuple(p for p in (("ngap", "sau"), ("mat",)))  # a different tuple, built at run time
    assert _by_first_word(first) == {"ngap": (("ngap", "nuoc"), ("ngap",)), "mat": (("mat", "dien"),)}
    assert _by_first_word(second) == {"ngap": (("ngap", "sau"),), "mat": (("mat",),)}
    assert _by_first_word(first) is _by_first_word(first)
