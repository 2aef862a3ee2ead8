"""Completion tokens -> byte ranges in the completion text.

The engine reports spans as UTF-8 byte ranges of the completion text (the text
a trainer decodes with `skip_special_tokens=True`); to put credit on tokens we
need each generated token's byte range in that same text.

- Byte-level BPE (GPT-2, Qwen, Llama-3 style): every character of a token
  string from `convert_ids_to_tokens` stands for exactly one byte, so the
  ranges are byte-exact, also when a token holds half of a UTF-8 character.
- Any other tokenizer (SentencePiece-style Metaspace/byte fallback, WordPiece,
  ...): streaming decoding, linear in the number of tokens. Fast tokenizers use
  `tokenizers`' `DecodeStream` (each step decodes a short window, exactly as a
  server streams text); tokenizers without a Rust backend get the same windowed
  decoding through `tokenizer.decode`. Each token owns the text its step
  produced; a token that ends inside a UTF-8 character produces nothing and the
  token completing the character owns it (byte-fallback tokens `<0xNN>` each
  own their byte). The pieces are then laid onto the text TRL decoded, allowing
  for whitespace that decoding cleans up. Only if they cannot be laid onto it
  does a quadratic prefix-decoding fallback run.
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
    ranges = _ranges_from_pieces(stream_pieces(tokenizer, ids), text)
    if ranges is not None:
        return ranges
    return _incremental_ranges(tokenizer, ids, target)


def stream_pieces(tokenizer, ids: Sequence[int]) -> list[bytes]:
    """The bytes each token adds to the decoded text (skip_special_tokens=True), in one pass."""
    ids = [int(i) for i in ids]
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        try:
            from tokenizers.decoders import DecodeStream
        except ImportError:   # tokenizers < 0.21
            DecodeStream = None
        if DecodeStream is not None:
            return _split_byte_fallback(tokenizer, ids, _decode_stream_pieces(DecodeStream, backend, ids))
    return _split_byte_fallback(tokenizer, ids, _window_pieces(tokenizer, ids))


def _decode_stream_pieces(DecodeStream, backend, ids: list[int]) -> list[str]:
    stream = DecodeStream(skip_special_tokens=True)
    return [stream.step(backend, tid) or "" for tid in ids]


def _window_pieces(tokenizer, ids: list[int]) -> list[str]:
    """DecodeStream's algorithm through `tokenizer.decode`: decode a short window ending at the new
    token and keep what it adds to the window's text (the window keeps decoders that strip or
    merge at the start honest); a token that leaves a partial character (U+FFFD) adds nothing yet."""
    pieces, prefix, read = [], 0, 0
    for k in range(len(ids)):
        before = tokenizer.decode(ids[prefix:read], skip_special_tokens=True) if read > prefix else ""
        after = tokenizer.decode(ids[prefix:k + 1], skip_special_tokens=True)
        if len(after) > len(before) and not after.endswith("\ufffd") and after.startswith(before):
            pieces.append(after[len(before):])
            prefix, read = read, k + 1
        else:
            pieces.append("")
    return pieces


def _split_byte_fallback(tokenizer, ids: list[int], pieces: list[str]) -> list[bytes]:
    """Pieces as bytes; a run of byte-fallback tokens (`<0xNN>`) that completes a character
    is split back into one byte per token instead of all bytes on the last one."""
    out = [p.encode("utf-8") for p in pieces]
    try:
        tokens = tokenizer.convert_ids_to_tokens(ids)
    except Exception:   # noqa: BLE001 - a tokenizer without token strings: keep the pieces as they are
        return out
    k = 0
    while k < len(ids):
        if out[k] or _fallback_byte(tokens[k]) is None:
            k += 1
            continue
        j = k   # tokens k..j-1 produced nothing; token j completes the character
        while j < len(ids) and not out[j] and _fallback_byte(tokens[j]) is not None:
            j += 1
        if j < len(ids) and _fallback_byte(tokens[j]) is not None:
            run = [_fallback_byte(t) for t in tokens[k:j + 1]]
            if bytes(run) == out[j][:len(run)]:
                rest = out[j][len(run) - 1:]
                for i, b in enumerate(run[:-1]):
                    out[k + i] = bytes([b])
                out[j] = rest
        k = j + 1
    return out


def _fallback_byte(token) -> int | None:
    if isinstance(token, str) and len(token) == 6 and token.startswith("<0x") and token.endswith(">"):
        try:
            return int(token[3:5], 16)
        except ValueError:
            return None
    return None


def _ranges_from_pieces(pieces: list[bytes], text: str) -> ByteRanges | None:
    """Lay the pieces onto `text` in one pass; None if they do not spell it. Whitespace that one
    side has and the other lacks (decoders that clean up spaces, strip a leading space) is
    tolerated: extra text whitespace goes to the token being laid, extra piece whitespace is dropped."""
    target = text.encode("utf-8")
    ranges: ByteRanges = []
    pos = 0
    for piece in pieces:
        start = pos
        i = 0
        while i < len(piece):
            if pos < len(target) and target[pos] == piece[i]:
                pos += 1
                i += 1
            elif piece[i] in _WS:
                i += 1
            elif pos < len(target) and target[pos] in _WS:
                pos += 1
            else:
                return None
        ranges.append((start, pos))
    if pos < len(target):
        if target[pos:].strip(bytes(_WS)):
            return None
        last = max((k for k, (s, e) in enumerate(ranges) if e > s), default=len(ranges) - 1)
        if last < 0:
            return None
        ranges[last] = (ranges[last][0], len(target))
        for k in range(last + 1, len(ranges)):
            ranges[k] = (len(target), len(target))
    return ranges


_WS = frozenset(b" \t\n\r\x0b\x0c")


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
    """Token k ends where decode(ids[:k+1]) stops agreeing with the full text: quadratic, the last
    resort for a tokenizer whose streamed pieces do not spell the text it decodes."""
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
