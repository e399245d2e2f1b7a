"""Stable hashing and MinHash: the same numbers in every process and in bulk."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from gbus.dedup.sketch import (
    _permutations,
    band_keys,
    band_keys_many,
    key64,
    shingle_hash,
    signature,
    signatures,
)

KNOWN_REPORTER_KEY = 0x97E035283EE57E1E
SETS = [["ngap", "cong tac", "le loi"], [], ["rac"], [f"w{i}" for i in range(60)]]


def test_keys_do_not_depend_on_the_process():
    # Fixed values: a rebuilt index must find keys computed before a restart.
    assert key64("name", "le loi") == key64("name", "le loi") != key64("name", "le lai")
    assert key64("reporter", "abc") == KNOWN_REPORTER_KEY


def test_the_permutations_are_datasketchs_affine32_ones():
    for num_perm in (24, 32, 128):
        assert np.array_equal(
            _permutations(num_perm), MinHash(num_perm=num_perm, seed=7, scheme="affine32").permutations
        )


def test_a_signature_is_datasketchs_affine32_minhash():
    shingles = ["ngap", "cong tac", "le loi", "đường", "x" * 300]
    reference = MinHash(num_perm=24, scheme="affine32", permutations=_permutations(24), hashfunc=shingle_hash)
    reference.update_batch(shingles)
    assert np.array_equal(signature(shingles, bands=24, rows=1), reference.hashvalues)


def test_bulk_signatures_equal_signatures_one_by_one():
    bulk, present = signatures(SETS, bands=24, rows=1)
    for i, shingles in enumerate(SETS):
        single = signature(shingles, bands=24, rows=1)
        assert present[i] == (single is not None)
        if single is not None:
            assert np.array_equal(bulk[i], single)


def test_bulk_band_keys_equal_band_keys_one_by_one():
    bulk, _ = signatures(SETS, bands=12, rows=2)
    scopes = np.array([26743, 0, 26740, 26743])
    many = band_keys_many(bulk, 12, 2, scopes)
    for i in range(len(SETS)):
        assert np.array_equal(many[i], band_keys(bulk[i], 12, 2, [int(scopes[i])]))


def test_band_keys_differ_by_ward_scope():
    sig = signature(SETS[0], bands=24, rows=1)
    assert set(band_keys(sig, 24, 1, [26743]).tolist()).isdisjoint(band_keys(sig, 24, 1, [26740]).tolist())
