"""Stable hashing, MinHash signatures and LSH band keys.

Everything here must give the same numbers in every process and after every
restart: the index is rebuilt from stored entries and compared with keys
computed later. Python's `hash()` is salted per process, so it is not used.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from functools import cache

import numpy as np
from datasketch import MinHash

_SEED = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def key64(namespace: str, value: str) -> int:
    """A 64-bit key for an exact value (a name, a reporter, a request id)."""
    digest = hashlib.blake2b(f"{namespace}\x1f{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1  # 0 means "none" in the entry table


def _hash32(value: str) -> int:
    return zlib.crc32(value.encode())


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps silently)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


@cache
def _permutations(num_perm: int) -> np.ndarray:
    return MinHash(num_perm=num_perm, seed=7, scheme="affine32").permutations


def signature(shingles: Iterable[str], bands: int, rows: int) -> np.ndarray | None:
    """MinHash signature (uint32, bands*rows values) of a set of shingles."""
    items = list(shingles)
    if not items:
        return None
    num_perm = bands * rows
    mh = MinHash(num_perm=num_perm, scheme="affine32", permutations=_permutations(num_perm), hashfunc=_hash32)
    mh.update_batch(items)
    return mh.hashvalues


def band_keys(sig: np.ndarray, bands: int, rows: int, scopes: Iterable[int]) -> np.ndarray:
    """One 64-bit key per band and scope (a ward, 0 = unknown), so that a
    bucket holds one ward's reports and stays small. Vectorised over scopes:
    a report without a ward is looked up in every ward of its shard."""
    hv = sig.reshape(bands, rows).astype(np.uint64)
    scope_arr = np.fromiter(scopes, dtype=np.uint64)
    h = _mix64(np.uint64(_SEED) ^ (scope_arr[:, None] * _M2) + np.arange(bands, dtype=np.uint64)[None, :])
    for j in range(rows):
        h = _mix64(h ^ hv[None, :, j])
    h = h.ravel()
    h[h == 0] = 1
    return h
