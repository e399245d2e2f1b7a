"""A compact multimap from 64-bit keys to entry numbers.

The candidate index needs ~35 postings per indexed report (LSH bands, names,
reporter, request id) for up to millions of reports per shard. Python dicts
of sets (as in datasketch's MinHashLSH) cost ~100 bytes a posting; here a
posting is 8 bytes in sorted numpy runs, log-structured like an LSM tree:

- new postings go to a small in-memory table (a dict of lists);
- when it fills, it is sorted into a run; runs of similar size are merged,
  so there are O(log n) runs and each posting is rewritten O(log n) times;
- a lookup is one vectorised binary search per run.

Keys are folded to 32 bits: a collision only merges two buckets, so a lookup
may return extra rows, which the caller filters or verifies (exact lookups —
report id, request id — always compare the stored value). Deleted entries are
filtered out by the caller and dropped from runs as they merge; `renumber`
rewrites entry numbers when the owner compacts its table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_KEY = np.uint32
_VAL = np.int32
_LOW32 = np.uint64(0xFFFFFFFF)


def fold32(keys: np.ndarray) -> np.ndarray:
    """64-bit keys -> 32-bit keys (both halves mixed in)."""
    keys = keys.astype(np.uint64, copy=False)
    return ((keys ^ (keys >> np.uint64(32))) & _LOW32).astype(_KEY)


class _Run:
    __slots__ = ("keys", "vals")

    def __init__(self, keys: np.ndarray, vals: np.ndarray) -> None:
        self.keys = keys
        self.vals = vals

    @property
    def size(self) -> int:
        return int(self.keys.size)


def _sorted_run(keys: np.ndarray, vals: np.ndarray) -> _Run:
    """Sorted by key; within a key the newest entries come last. Callers pass
    the values of any one key in increasing order (rows are appended in
    order, and an older run's rows precede a newer run's), so a stable sort
    by key suffices — and on two concatenated runs numpy's stable sort
    (timsort) merges them in linear time."""
    order = np.argsort(keys, kind="stable")
    return _Run(keys[order], vals[order])


class Postings:
    def __init__(self, memtable_limit: int = 16_384) -> None:
        self._memtable: dict[int, list[int]] = {}
        self._mem_count = 0
        self._memtable_limit = memtable_limit
        self._runs: list[_Run] = []
        # Tells which entry numbers are still alive; used when runs merge.
        self.is_alive: Callable[[np.ndarray], np.ndarray] | None = None

    def __len__(self) -> int:
        return self._mem_count + sum(run.size for run in self._runs)

    @property
    def nbytes(self) -> int:
        runs = sum(run.keys.nbytes + run.vals.nbytes for run in self._runs)
        # dict slot + int key + list + int item, roughly, for the small table
        return runs + self._mem_count * 120

    def add(self, keys: np.ndarray, value: int) -> None:
        keys = fold32(keys)
        for key in keys.tolist():
            bucket = self._memtable.get(key)
            if bucket is None:
                self._memtable[key] = [value]
            else:
                bucket.append(value)
        self._mem_count += len(keys)
        if self._mem_count >= self._memtable_limit:
            self.flush()

    def add_bulk(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Many postings at once (a rebuild): sorted straight into a run."""
        if keys.size:
            self.flush()
            self._runs.append(_sorted_run(fold32(keys), values.astype(_VAL)))
            self._merge_similar_runs()

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Which of `keys` have any posting (32-bit folded: may say yes falsely)."""
        folded = fold32(keys)
        found = np.fromiter((k in self._memtable for k in folded.tolist()), dtype=bool, count=folded.size)
        for run in self._runs:
            lo = np.searchsorted(run.keys, folded, side="left")
            found |= (lo < run.size) & (run.keys[np.minimum(lo, run.size - 1)] == folded)
        return found

    def flush(self) -> None:
        if not self._mem_count:
            return
        keys = np.fromiter((k for k, vs in self._memtable.items() for _ in vs), dtype=_KEY, count=self._mem_count)
        vals = np.fromiter((v for vs in self._memtable.values() for v in vs), dtype=_VAL, count=self._mem_count)
        self._memtable.clear()
        self._mem_count = 0
        self._runs.append(_sorted_run(keys, vals))
        self._merge_similar_runs()

    def _merge_similar_runs(self) -> None:
        while len(self._runs) >= 2 and self._runs[-2].size <= 2 * self._runs[-1].size:
            newer = self._runs.pop()
            older = self._runs.pop()
            self._runs.append(self._merge(older, newer))

    def _merge(self, older: _Run, newer: _Run) -> _Run:
        keys = np.concatenate((older.keys, newer.keys))
        vals = np.concatenate((older.vals, newer.vals))
        if self.is_alive is not None:
            keep = self.is_alive(vals)
            keys, vals = keys[keep], vals[keep]
        return _sorted_run(keys, vals)

    def lookup(self, keys: np.ndarray, limit: int) -> np.ndarray:
        """Entry numbers under any of `keys`, at most the newest `limit` of
        each key (a huge bucket is a common word, not evidence). The answer
        does not depend on how postings happen to be split into runs."""
        rows, _ = self.lookup_groups([keys], limit)
        return rows

    def lookup_groups(self, groups: list[np.ndarray], limit: int) -> tuple[np.ndarray, np.ndarray]:
        """`lookup` of several key arrays in one pass: the rows found (in no
        particular order) and, for each, the index of the group it was
        found by. A row under keys of two groups is returned once per group,
        exactly as separate `lookup` calls would return it.

        Vectorised: one binary search per run for all keys, the newest
        `limit` postings of each key gathered with one fancy index per run
        (a decision looks up ~60 keys; a Python loop per key and run cost
        more than the rest of the candidate search)."""
        # Each group's distinct keys, in one sort: (group << 32 | folded key)
        tagged = np.unique(
            np.concatenate([fold32(k).astype(np.uint64) | np.uint64(g << 32) for g, k in enumerate(groups)])
        )
        keys = (tagged & _LOW32).astype(_KEY)
        group_of_label = (tagged >> np.uint64(32)).astype(np.int64)
        # Searched in key order: consecutive searches then touch nearby parts
        # of a run of millions of keys (a third faster at 100k cases).
        order = np.argsort(keys, kind="stable")
        keys, group_of_label = keys[order], group_of_label[order]
        rows: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        mem = self._memtable
        if mem:
            for label, key in enumerate(keys.tolist()):
                bucket = mem.get(key)
                if bucket:
                    rows.append(np.asarray(bucket[-limit:], dtype=_VAL))
                    labels.append(np.full(len(rows[-1]), label))
        for run in self._runs:
            lo = np.searchsorted(run.keys, keys, side="left")
            hi = np.searchsorted(run.keys, keys, side="right")
            start = np.maximum(lo, hi - limit)
            counts = hi - start
            total = int(counts.sum())
            if not total:
                continue
            # positions start[l] .. hi[l]-1 of every label l, in one array
            ends = np.cumsum(counts)
            positions = np.arange(total) + np.repeat(start - (ends - counts), counts)
            rows.append(run.vals[positions])
            labels.append(np.repeat(np.arange(keys.size), counts))
        if not rows:
            return np.empty(0, dtype=_VAL), np.empty(0, dtype=np.int64)
        found = np.concatenate(rows) if len(rows) > 1 else rows[0]
        label_arr = np.concatenate(labels) if len(labels) > 1 else labels[0]
        if len(rows) > 1 and np.bincount(label_arr).max() > limit:
            # A key found in several runs: keep its newest `limit` overall.
            order = np.lexsort((-found.astype(np.int64), label_arr))
            found, label_arr = found[order], label_arr[order]
            group_start = np.searchsorted(label_arr, label_arr, side="left")
            keep = (np.arange(found.size) - group_start) < limit
            found, label_arr = found[keep], label_arr[keep]
        return found, group_of_label[label_arr]

    def renumber(self, mapping: np.ndarray) -> None:
        """Apply `mapping[old] -> new` (-1 = dropped) to every posting."""
        self.flush()
        runs = self._runs
        self._runs = []
        for run in runs:
            new_vals = mapping[run.vals]
            keep = new_vals >= 0
            self._runs.append(_sorted_run(run.keys[keep], new_vals[keep].astype(_VAL)))
        # One run per merge level is not needed after a full rewrite.
        while len(self._runs) >= 2:
            newer = self._runs.pop()
            older = self._runs.pop()
            keys = np.concatenate((older.keys, newer.keys))
            self._runs.append(_sorted_run(keys, np.concatenate((older.vals, newer.vals))))
