"""Completion tokens -> byte ranges in the completion text.

The engine reports spans as UTF-8 byte ranges of the completion text (the text
a trainer decodes with `skip_special_tokens=True`); to put credit on tokens we
need each generated token's byte range in that same text.

- Byte-level BPE (GPT-2, Qwen, Llama-3 style): every character of a token
  string from `convert_ids_to_tokens` stands for exactly one byte, so the
  ranges are byte-exact, also when a token holds half of a UTF-8 character.
- Any other tokenizer (SentencePiece, WordPiece, ...): incremental decoding:
  the end of token k is where decode(ids[:k]) stops agreeing with the full
  text. Tokenizers that normalise text (strip spaces, merge pieces) still get
  monotone ranges that tile the text.
- Special tokens (EOS, padding, chat markers) are not in the text: they get
  zero-length ranges at the position where they occur (EOS: at the end).
"""

from __future__ import annotations

import functools
from typing import Sequence

ByteRanges = list[tuple[int, int]]


@functools.lru_cache(maxsize=1)
def byte_decoder() -> dict[str, int]:
    """The inverse of GPT-2's bytes_to_unicode table (printable stand-ins for all 256 bytes)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def is_byte_level(tokenizer) -> bool:
    """Does the tokenizer decode with a ByteLevel decoder (possibly inside a Sequence)?"""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    decoder = getattr(backend, "decoder", None) if backend is not None else None
    return decoder is not None and "ByteLevel" in repr(decoder)


def _special_ids(tokenizer) -> frozenset[int]:
    ids = set(getattr(tokenizer, "all_special_ids", []) or [])
    for tid, added in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).items():
        if getattr(added, "special", False):
            ids.add(int(tid))
    return frozenset(ids)


def _added_text(tokenizer) -> dict[int, str]:
    """Added tokens that are not special: their string is literal text, not byte stand-ins."""
    return {int(tid): added.content for tid, added in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).items()
            if not getattr(added, "special", False)}


def completion_text(tokenizer, ids: Sequence[int]) -> str:
    """The completion text exactly as TRL decodes it for reward functions."""
    return tokenizer.decode(list(ids), skip_special_tokens=True)


def token_byte_ranges(tokenizer, ids: Sequence[int], text: str | None = None) -> ByteRanges:
    """One (start, end) byte range in `text` per token id; `text` defaults to completion_text(ids).

    The ranges are monotone and tile `text` (special tokens are empty ranges)."""
    ids = [int(i) for i in ids]
    if text is None:
        text = completion_text(tokenizer, ids)
    target = text.encode("utf-8")
    if is_byte_level(tokenizer):
        ranges = _byte_level_ranges(tokenizer, ids, target)
        if ranges is not None:
            return ranges
    return _incremental_ranges(tokenizer, ids, target)


def _byte_level_ranges(tokenizer, ids: list[int], target: bytes) -> ByteRanges | None:
    """Exact ranges from the token strings; None if they do not reproduce `target` (then fall back)."""
    table = byte_decoder()
    special = _special_ids(tokenizer)
    added = _added_text(tokenizer)
    ranges, pos = [], 0
    for tid, piece in zip(ids, tokenizer.convert_ids_to_tokens(ids)):
        if tid in special:
            ranges.append((pos, pos))
            continue
        if tid in added:
            raw = added[tid].encode("utf-8")
        else:
            try:
                raw = bytes(table[ch] for ch in piece)
            except (KeyError, TypeError):
                return None
        if target[pos:pos + len(raw)] != raw:
            return None
        ranges.append((pos, pos + len(raw)))
        pos += len(raw)
    return ranges if pos == len(target) else None


def _incremental_ranges(tokenizer, ids: list[int], target: bytes) -> ByteRanges:
    """Token k ends where decode(ids[:k+1]) stops agreeing with the full text (quadratic, any tokenizer)."""
    special = _special_ids(tokenizer)
    ranges, pos = [], 0
    for k, tid in enumerate(ids):
        if tid in special:
            ranges.append((pos, pos))
            continue
        prefix = tokenizer.decode(ids[:k + 1], skip_special_tokens=True).encode("utf-8")
        # A token ending inside a multi-byte character decodes to U+FFFD: the common
        # prefix then stops before that character, and the next token takes it.
        end = _common_prefix(prefix, target)
        end = max(end, pos)
        ranges.append((pos, end))
        pos = end
    if ranges and pos < len(target):
        # Text the prefixes never reached (normalisation at the end): the last real token owns it.
        last = max((i for i, t in enumerate(ids) if t not in special), default=None)
        if last is not None:
            s, _ = ranges[last]
            ranges[last] = (s, len(target))
            for i in range(last + 1, len(ranges)):
                ranges[i] = (len(target), len(target))
    return ranges


def _common_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # binary search the first differing byte
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo
