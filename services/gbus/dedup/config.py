"""Tunable settings of duplicate detection. Defaults are justified by the
measurements in docs/dedup.md; change them there and here together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class DedupConfig:
    # Decision bands on the match score (0..1).
    # The score is a calibrated probability (scorer.py); bands chosen on the
    # dev split (docs/dedup.md), never on the test split.
    link_threshold: float = 0.60  # at or above: the report joins the matched case
    review_threshold: float = 0.30  # at or above: new case marked possible duplicate
    # Opinions on one draft share the draft's words; the model weighs that
    # (feature both_gop_y), so gop_y links at the same calibrated score.
    gop_y_link_threshold: float = 0.60
    # A closed case stops attracting reports this long after it closed.
    window: timedelta = timedelta(days=90)
    # ward -> wards whose LSH buckets a report also reads (both sides of a
    # boundary street). Any ward may match; this only widens the search.
    neighbourhood: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # A report is not linked into a case when any scored report of that case
    # is this unlikely to be the same grievance (single-link chaining guard).
    case_veto_below: float = 0.05
    # Suggestions shown with a decision: at most this many other cases, each
    # scoring at least the threshold (a calibrated probability).
    max_suggestions: int = 3
    suggestion_threshold: float = 0.05
    # Candidates scored in full per decision; bounds the p99 latency. 16, not
    # the 24 of issue 4: the learned scorer costs more per pair, and on the dev
    # split 12, 16 and 24 give the same clustering (docs/dedup.md).
    max_candidates: int = 16
    # MinHash LSH: bands x rows = signature length. Paraphrases of one
    # grievance share few words (Jaccard 0.07-0.3 on the dev corpus), so one
    # row per band: P(candidate) = 1-(1-J)^24 = 0.82 at J=0.07, 0.96 at 0.13.
    # The wider net is bounded by ward-scoped buckets and max_candidates.
    lsh_bands: int = 24
    lsh_rows: int = 1
    # A report without a ward cannot use ward-scoped buckets; it is looked up
    # in province-wide buckets of the first few bands instead (plus names and
    # reporter). Looking it up in every ward's buckets costs 168x the keys.
    province_bands: int = 8
    # A bucket (LSH band value, name, reporter) holding more entries than
    # this is a common word, not evidence; only its newest entries are read.
    max_bucket_reads: int = 256
