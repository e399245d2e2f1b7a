"""Stable hashing, MinHash signatures and LSH band keys.

Everything here must give the same numbers in every process and after every
restart: the index is rebuilt from stored entries and compared with keys
computed later. Python's `hash()` is salted per process, so it is not used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

_SEED = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def key64(namespace: str, value: str) -> int:
    """A 64-bit key for an exact value (a name, a reporter, a request id)."""
    digest = hashlib.blake2b(f"{namespace}\x1f{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1  # 0 means "none" in the entry table


_POLY = np.uint32(0x01000193)  # FNV prime: odd, so multiplication mod 2^32 is a bijection
_MAX_SHINGLE_BYTES = 256
_POWERS = np.cumprod(np.concatenate(([1], np.full(_MAX_SHINGLE_BYTES - 1, _POLY))).astype(np.uint64)).astype(np.uint32)


def shingle_hash(value: str) -> int:
    """32-bit polynomial hash of a shingle's UTF-8 bytes (the scalar form of
    `_shingle_hashes`, kept for checking the vectorised one)."""
    h = 0
    for byte in value.encode()[:_MAX_SHINGLE_BYTES]:
        h = (h * 0x01000193 + byte + 1) & 0xFFFFFFFF
    return h


def _shingle_hashes(shingles: list[str]) -> np.ndarray:
    """`shingle_hash` of every shingle at once: the bytes of all shingles in
    one buffer, each byte weighted by a power of the prime, summed per
    shingle with `reduceat` (uint32 arithmetic wraps mod 2^32 as intended)."""
    data = np.frombuffer("\x00".join(shingles).encode(), dtype=np.uint8)
    ends = np.concatenate((np.flatnonzero(data == 0), [data.size]))
    starts = np.concatenate(([0], ends[:-1] + 1))
    position = np.arange(data.size) - np.repeat(starts, ends - starts + 1)[: data.size]
    length = np.minimum(np.repeat(ends - starts, ends - starts + 1)[: data.size], _MAX_SHINGLE_BYTES)
    exponent = np.clip(length - 1 - position, 0, _MAX_SHINGLE_BYTES - 1)
    weighted = (data.astype(np.uint32) + np.uint32(1)) * _POWERS[exponent]
    weighted[data == 0] = 0  # the separators
    truncated = position >= _MAX_SHINGLE_BYTES
    weighted[truncated] = 0
    return np.add.reduceat(weighted, starts).astype(np.uint32)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps silently)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


@cache
def _permutations(num_perm: int) -> np.ndarray:
    """The affine permutations h -> a*h + b mod 2^32 (a odd, so each is a bijection), drawn
    as datasketch 2.x draws its "affine32" ones with seed 7: the same numbers (tested against
    datasketch, a development dependency only), without its scipy at run time."""
    gen = np.random.RandomState(7)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def signature(shingles: Iterable[str], bands: int, rows: int) -> np.ndarray | None:
    """MinHash signature (uint32, bands*rows values) of a set of shingles;
    None for an empty set. Equal to datasketch's `MinHash(num_perm,
    scheme="affine32", hashfunc=shingle_hash)` (tested), computed vectorised."""
    items = list(shingles)
    if not items:
        return None
    # One report's words and pairs mostly recur in later reports: their
    # hashes come from a cache, not from re-reading their bytes.
    hv = np.fromiter(map(_cached_shingle_hash, items), dtype=np.uint32, count=len(items))
    return _permuted(_fmix32(hv), bands * rows).min(axis=0)


@lru_cache(maxsize=8192)  # ~1.5 MB; a miss costs ~1 us
def _cached_shingle_hash(value: str) -> int:
    return shingle_hash(value)


def _band_mix(hv: np.ndarray, scopes: npt.NDArray[np.uint64], bands: int, rows: int) -> np.ndarray:
    """hv: (..., bands, rows) uint64; scopes broadcastable to (..., 1)."""
    h = _mix64(np.uint64(_SEED) ^ (np.arange(bands, dtype=np.uint64) + scopes * _M2))
    for j in range(rows):
        h = _mix64(h ^ hv[..., j])
    h[h == 0] = 1
    return h


def band_keys(sig: np.ndarray, bands: int, rows: int, scopes: Iterable[int]) -> np.ndarray:
    """One 64-bit key per band and scope (a ward, 0 = unknown), so that a
    bucket holds one ward's reports and stays small. Vectorised over scopes."""
    hv = sig.reshape(1, bands, rows).astype(np.uint64)
    scope_arr = np.fromiter(scopes, dtype=np.uint64)[:, None]
    return _band_mix(hv, scope_arr, bands, rows).ravel()


def band_keys_many(sigs: np.ndarray, bands: int, rows: int, scopes: np.ndarray) -> np.ndarray:
    """Band keys of many signatures, each in its own scope: (n, bands).
    Row i equals band_keys(sigs[i], bands, rows, [scopes[i]])."""
    hv = sigs.reshape(len(sigs), bands, rows).astype(np.uint64)
    return _band_mix(hv, scopes.astype(np.uint64)[:, None], bands, rows)


_FMIX_SHIFTS = (np.uint32(16), np.uint32(13), np.uint32(16))
_FMIX_MULTS = (np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))


def signatures(shingle_lists: list[list[str]], bands: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of many shingle sets at once, for bulk indexing:
    (n, bands*rows) uint32 plus a mask of sets that were non-empty. Computes
    datasketch's "affine32" scheme (murmur3 finaliser, then a*h+b mod 2^32)
    with the same permutations and `shingle_hash` as the hash function."""
    num_perm = bands * rows
    lengths = np.fromiter((len(items) for items in shingle_lists), dtype=np.int64, count=len(shingle_lists))
    has = lengths > 0
    out = np.zeros((len(shingle_lists), num_perm), dtype=np.uint32)
    if not has.any():
        return out, has
    permuted = _permuted(_fmix32(_shingle_hashes([item for items in shingle_lists for item in items])), num_perm)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[has]
    out[has] = np.minimum.reduceat(permuted, starts, axis=0)
    return out, has


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """murmur3's 32-bit finaliser, vectorised (uint32 arithmetic wraps)."""
    hv = hv ^ (hv >> _FMIX_SHIFTS[0])
    hv = hv * _FMIX_MULTS[0]
    hv = hv ^ (hv >> _FMIX_SHIFTS[1])
    hv = hv * _FMIX_MULTS[1]
    return hv ^ (hv >> _FMIX_SHIFTS[2])


def _permuted(hv: np.ndarray, num_perm: int) -> np.ndarray:
    """(shingles, num_perm): every hash through every affine permutation."""
    a, b = _permutations(num_perm)
    return hv[:, None] * a[None, :].astype(np.uint32) + b[None, :].astype(np.uint32)
