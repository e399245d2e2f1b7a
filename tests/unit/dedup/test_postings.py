"""The compact key -> rows multimap behind the candidate index."""

from __future__ import annotations

import numpy as np

from gbus.dedup.postings import Postings


def keys(*values):
    return np.array(values, dtype=np.uint64)


def test_rows_are_found_before_and_after_the_small_table_is_flushed():
    p = Postings(memtable_limit=4)
    for row in range(10):
        p.add(keys(100 + row % 3, 999), row)
    assert sorted(p.lookup(keys(100), limit=100).tolist()) == [0, 3, 6, 9]
    p.flush()
    assert sorted(p.lookup(keys(100, 101), limit=100).tolist()) == [0, 1, 3, 4, 6, 7, 9]
    assert len(p) == 20


def test_a_huge_bucket_yields_only_its_newest_rows():
    p = Postings(memtable_limit=1_000_000)
    for row in range(50):
        p.add(keys(7), row)
    p.flush()
    assert sorted(p.lookup(keys(7), limit=5).tolist()) == [45, 46, 47, 48, 49]


def test_dead_rows_are_dropped_when_runs_merge():
    p = Postings(memtable_limit=2)
    alive = np.ones(100, dtype=bool)
    alive[:10] = False
    p.is_alive = lambda rows: alive[rows]
    for row in range(40):
        p.add(keys(1), row)
    found = set(p.lookup(keys(1), limit=100).tolist())
    assert len(p) < 40  # some dead rows were dropped by merges
    assert set(range(10, 40)) <= found  # and no live row was


def test_renumbering_rewrites_rows_and_drops_removed_ones():
    p = Postings(memtable_limit=3)
    for row in range(6):
        p.add(keys(5), row)
    mapping = np.array([-1, 0, -1, 1, 2, -1])
    p.renumber(mapping)
    assert sorted(p.lookup(keys(5), limit=10).tolist()) == [0, 1, 2]
