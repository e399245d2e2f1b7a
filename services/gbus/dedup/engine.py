"""Duplicate detection for one shard: the API the case processor calls.

Stages, in order, each explainable:

1. replay — the same origin agency and request id is the same report
   (idempotency): answer with the case it already joined, never a new one;
2. candidates — from the shard's index: MinHash LSH bands of the content
   in the report's ward, in the wards it names and province-wide, shared
   place names, the same reporter (keyed hash); filtered only by the gates
   law or fact demand (the shard is the province; an opinion on a draft
   joins only opinions on that draft; a case closed longer ago than the
   window is out). Ward and category are evidence in the score, not gates;
3. scoring — each candidate compared by the learned pair scorer
   (pair_features.py, scorer.py: a calibrated probability); a case scores
   as its best-matching report;
4. bands — score >= link threshold: "link" into that case; >= review
   threshold: "possible_duplicate" (a new case, flagged for a clerk);
   otherwise "new". Every decision also carries up to three other cases,
   best first, as suggestions for the clerk.

`decide` never mutates; the processor calls `add_report` once it has placed
the report into a case, so that the index always mirrors stored case data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from gbus.dedup.config import DedupConfig
from gbus.dedup.entry import IndexEntry
from gbus.dedup.features import TextFeatures, analyse, from_fingerprint, split_name
from gbus.dedup.gazetteer import wards_named
from gbus.dedup.index import ShardIndex, epoch
from gbus.dedup.matcher import Profile, terms
from gbus.dedup.scorer import PairModel, PairScore, compare, default_model
from gbus.dedup.sketch import band_keys, band_keys_many, key64, signature, signatures
from gbus.domain.kinds import is_draft_opinion
from gbus.domain.report import Report
from gbus.domain.vocabulary import shard_of_province

DECISIONS = ("replay", "link", "possible_duplicate", "new")
# Weights of candidate sources when ranking which candidates to score: a
# shared place name or reporter is stronger evidence than one LSH band.
_NAME_KEY_WEIGHT = 4.0
_NUMBER_KEY_WEIGHT = 4.0
_REPORTER_KEY_WEIGHT = 6.0
# Scope of the province-wide LSH buckets (ward codes are < 100000).
_PROVINCE_SCOPE = 1 << 40


@dataclass(frozen=True, slots=True)
class DedupDecision:
    decision: str  # one of DECISIONS
    case_id: str | None  # the matched case (replay, link, possible_duplicate)
    score: float
    matched_report_id: str | None
    reasons: tuple[str, ...]
    # Other cases a clerk may want to merge with, best first: (case id,
    # calibrated score); never the case a "link" joined.
    suggestions: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "decision": self.decision,
            "case_id": self.case_id,
            "score": round(self.score, 4),
            "matched_report_id": self.matched_report_id,
            "reasons": list(self.reasons),
            "suggestions": [{"case_key": c, "score": round(p, 4)} for c, p in self.suggestions],
        }


class DedupEngine:
    def __init__(self, shard: str, config: DedupConfig | None = None, model: PairModel | None = None) -> None:
        self.shard = shard
        self.config = config or DedupConfig()
        self.model = model or default_model()
        self.index = ShardIndex(shard, bucket_limit=self.config.max_bucket_reads)

    # -- the decision ----------------------------------------------------------
    def decide(self, report: Report, now: datetime) -> DedupDecision:
        self._check_shard(report.province_code)
        replay = self.index.find_request(report.origin_agency, report.request_id)
        if replay is not None:
            original = self.index.report_id(replay)
            return DedupDecision(
                "replay",
                self.index.case_id(replay),
                1.0,
                original,
                (f"same origin agency and request id as report {original}",),
            )
        query = self._profile(report)
        rows = self._candidate_rows(query, report, now)
        by_case: dict[str, tuple[PairScore, int]] = {}
        worst: dict[str, float] = {}
        for row in rows.tolist():
            scored = compare(query, self.index.profile(row), self.model)
            case_id = self.index.case_id(row)
            if case_id not in by_case or scored.score > by_case[case_id][0].score:
                by_case[case_id] = (scored, row)
            worst[case_id] = min(worst.get(case_id, 1.0), scored.score)
        if not by_case:
            return DedupDecision("new", None, 0.0, None, ("no candidate in the shard passed the constraints",))
        ranked = sorted(by_case.items(), key=lambda item: (-item[1][0].score, item[0]))
        case_id, (scored, row) = ranked[0]
        link_at = self.config.gop_y_link_threshold if is_draft_opinion(report.kind) else self.config.link_threshold
        # A case is one grievance: if another of its reports plainly contradicts
        # this one (another street, another amount), one good match is not
        # enough to join it automatically (single-link chaining); a clerk decides.
        contradicted = worst[case_id] < self.config.case_veto_below
        links = scored.score >= link_at and not contradicted
        suggestions = tuple(
            (case, s.score)
            for case, (s, _) in (ranked[1:] if links else ranked)[: self.config.max_suggestions]
            if s.score >= self.config.suggestion_threshold
        )
        reasons = scored.reasons
        if contradicted and scored.score >= link_at:
            reasons = (
                f"another report of case {case_id} scores {worst[case_id]:.2f}: not joined automatically",
                *reasons,
            )
        if links:
            decision = "link"
        elif scored.score >= self.config.review_threshold:
            decision = "possible_duplicate"
        else:
            closest = f"closest: report {self.index.report_id(row)} at {scored.score:.2f}, below the review band"
            return DedupDecision("new", None, scored.score, None, (closest, *reasons), suggestions)
        return DedupDecision(decision, case_id, scored.score, self.index.report_id(row), reasons, suggestions)

    def explain(self, report: Report, report_id: str) -> PairScore | None:
        """The full comparison of `report` with one indexed report, constraints
        aside: for tools that show why two reports were (not) merged."""
        row = self.index.find_report(report_id)
        if row is None:
            return None
        return compare(self._profile(report), self.index.profile(row), self.model)

    # -- keeping the index in step with case data ------------------------------------
    def add_report(self, entry: IndexEntry) -> None:
        """Index a report placed in case `entry.case_id` (also used to rebuild
        the index from stored entries after a restart). Re-adding a report id
        replaces its previous entry."""
        self._check_entry(entry)
        self.remove_report(entry.report_id)
        keys = self._keys(
            from_fingerprint(entry.fingerprint),
            entry.reporter_key,
            scopes=[int(entry.ward or 0)],
            province_wide=True,
        )
        self.index.add(entry, np.concatenate([k for k, _ in keys]) if keys else np.empty(0, np.uint64))

    def add_reports(self, entries: Iterable[IndexEntry], batch: int = 4096) -> int:
        """Bulk `add_report` for rebuilding an index from stored entries after
        a restart or rebalance: the same index, several times faster (MinHash
        and band keys vectorised over the batch, postings sorted in one run).
        Returns how many entries were indexed."""
        cfg = self.config
        done = 0
        pending: list[IndexEntry] = []
        for entry in itertools.chain(entries, [None]):
            if entry is not None:
                self._check_entry(entry)
                pending.append(entry)
                if len(pending) < batch:
                    continue
            if not pending:
                break
            for report_id in self.index.report_ids_present([e.report_id for e in pending]):
                self.remove_report(report_id)
            features = [from_fingerprint(e.fingerprint) for e in pending]
            sigs, has = signatures([_shingles(f) for f in features], cfg.lsh_bands, cfg.lsh_rows)
            wards = np.array([int(e.ward or 0) for e in pending], dtype=np.int64)
            ward_keys = band_keys_many(sigs, cfg.lsh_bands, cfg.lsh_rows, wards)
            head = sigs[:, : cfg.province_bands * cfg.lsh_rows]
            province_scope = np.full(len(pending), _PROVINCE_SCOPE)
            province_keys = band_keys_many(head, cfg.province_bands, cfg.lsh_rows, province_scope)
            keys = []
            for i, (entry, feats) in enumerate(zip(pending, features)):
                own = [k for k, _ in self._exact_keys(feats, entry.reporter_key, scopes=[int(wards[i])])]
                lsh = [ward_keys[i], province_keys[i]] if has[i] else []
                keys.append(np.concatenate([*lsh, *own]) if lsh or own else np.empty(0, np.uint64))
            self.index.add_many(pending, keys)
            done += len(pending)
            pending = []
        return done

    def remove_report(self, report_id: str) -> bool:
        """Forget a report (unmerge: the processor re-adds it with its new case)."""
        row = self.index.find_report(report_id)
        if row is None:
            return False
        self.index.kill(row)
        self.index.maybe_compact()
        return True

    def merge_cases(self, from_case_id: str, into_case_id: str) -> int:
        """Move every indexed report of one case into another; returns how many."""
        cases = self.index.cases
        source = cases.row(from_case_id, create=False)
        if source is None or from_case_id == into_case_id:
            return 0
        target = cases.row(into_case_id, create=True)
        rows = self.index.rows_of_case(source)
        self.index.col("case")[rows] = target
        cases.drop(source)
        return int(rows.size)

    def set_case_status(self, case_id: str, open: bool, at: datetime) -> None:
        """Record that a case closed at `at` (it then ages out after the
        window) or was reopened."""
        row = self.index.cases.row(case_id, create=False)
        if row is None:
            return
        self.index.cases.closed_at[row] = np.iinfo(np.int64).max if open else epoch(at)

    def expire(self, now: datetime) -> int:
        """Drop reports of cases closed longer than the window ago."""
        return self.index.expire(epoch(now - self.config.window))

    def stats(self) -> dict[str, int]:
        return {
            "reports": self.index.size - self.index.dead,
            "cases": len(self.index.cases),
            "postings": len(self.index.postings),
            "bytes": self.index.nbytes(),
        }

    # -- internals ----------------------------------------------------------------
    def _check_entry(self, entry: IndexEntry) -> None:
        self._check_shard(entry.province)
        if not entry.is_current:
            raise ValueError(
                f"entry {entry.report_id} has fingerprint version {entry.fingerprint_version}; "
                "rebuild it from the stored report with IndexEntry.from_report"
            )

    def _check_shard(self, province: str | None) -> None:
        if shard_of_province(province) != self.shard:
            raise ValueError(f"province {province!r} does not belong to shard {self.shard}")

    def _keys(
        self,
        features: TextFeatures,
        reporter_key: str | None,
        *,
        scopes: list[int],
        province_wide: bool,
        weighted_terms: dict[str, float] | None = None,
    ) -> list[tuple[np.ndarray, float]]:
        """Candidate keys: LSH bands per ward scope (and the province-wide
        bands that reports without a ward are looked up by), place names,
        numbered places, reporter. `weighted_terms` is `terms(features)`
        when the caller has it already (a query's profile)."""
        cfg = self.config
        keys: list[tuple[np.ndarray, float]] = []
        sig = signature(_shingles(features, weighted_terms), cfg.lsh_bands, cfg.lsh_rows)
        if sig is not None:
            if scopes:
                keys.append((band_keys(sig, cfg.lsh_bands, cfg.lsh_rows, scopes), 1.0))
            if province_wide:
                head = sig[: cfg.province_bands * cfg.lsh_rows]
                keys.append((band_keys(head, cfg.province_bands, cfg.lsh_rows, [_PROVINCE_SCOPE]), 1.0))
        return keys + self._exact_keys(features, reporter_key, scopes=scopes)

    @staticmethod
    def _exact_keys(
        features: TextFeatures, reporter_key: str | None, *, scopes: list[int]
    ) -> list[tuple[np.ndarray, float]]:
        keys: list[tuple[np.ndarray, float]] = []
        names = [key64("name", split_name(n)[1]) for n in features.names]
        if names:
            keys.append((np.array(names, dtype=np.uint64), _NAME_KEY_WEIGHT))
        if features.numbers and scopes:
            # "hẻm 12", "xóm 5": a numbered place means something only in its ward
            numbers = [key64("number", f"{scope}:{n}") for scope in scopes for n in features.numbers]
            keys.append((np.array(numbers, dtype=np.uint64), _NUMBER_KEY_WEIGHT))
        if reporter_key:
            keys.append((np.array([key64("reporter", reporter_key)], dtype=np.uint64), _REPORTER_KEY_WEIGHT))
        return keys

    @staticmethod
    def _profile(report: Report) -> Profile:
        return profile_of(report)

    def _candidate_rows(self, query: Profile, report: Report, now: datetime) -> np.ndarray:
        keys = self._keys(
            query.features,
            report.reporter_key,
            scopes=self._scopes(report, query),
            province_wide=True,
            weighted_terms=query.terms,
        )
        return self.index.candidates(
            keys,
            kind=report.kind,
            subject=key64("subject", report.subject_agency) if report.subject_agency else 0,
            not_closed_before=epoch(now - self.config.window),
            limit=self.config.max_candidates,
        )

    def _scopes(self, report: Report, query: Profile) -> list[int]:
        """Ward scopes whose LSH buckets are read: reports without a ward, the
        report's own ward, its configured neighbours and every ward its text
        names ("giáp phường X"). The province-wide bands cover the rest."""
        wards = {0}
        if report.ward_code:
            wards.add(int(report.ward_code))
            wards.update(int(w) for w in self.config.neighbourhood.get(report.ward_code, ()))
        for name in query.mentions:
            wards.update(wards_named(report.province_code, name))
        return sorted(wards)


def profile_of(report: Report) -> Profile:
    """What the scorer knows of a report being decided."""
    return Profile(
        features=analyse(report.title, report.description, report.province_code, report.ward_code),
        ward=report.ward_code,
        kind=report.kind,
        category=report.category,
        subject_agency=report.subject_agency,
        reporter=key64("reporter", report.reporter_key) if report.reporter_key else 0,
        submitted_at=report.submitted_at,
    )


def _shingles(features: TextFeatures, weighted_terms: dict[str, float] | None = None) -> list[str]:
    """What MinHash sees: content words and word pairs, plus place names."""
    found = terms(features) if weighted_terms is None else weighted_terms
    return list(found) + [split_name(n)[1] for n in features.names]
