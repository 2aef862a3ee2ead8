"""Completion token ids -> byte ranges in the completion text (egca.tokens)."""

from __future__ import annotations

import pytest

pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from egca.tokens import completion_text, is_byte_level, token_byte_ranges  # noqa: E402

CORPUS = [
    "def f(x):\n    return x + 1\n",
    "def has_close_elements(numbers, threshold):\n    for idx, elem in enumerate(numbers):\n"
    "        if abs(elem - numbers[idx]) < threshold:\n            return True\n    return False\n",
    "s = 'héllo wörld'  # ünïcode\nprint(s[::-1])\n",
] * 20

TEXTS = [
    "    return x + 1\n",
    "def f(x):\n\tréturn [x ** 2 for x in range(10)]  # 😀 ok\n\n",
    "```python\n    return sorted(set(l))\n```\nDone: ✓\n",
    "x",
]


@pytest.fixture(scope="module")
def bbpe():
    from egca.train.tiny import build_tokenizer
    return build_tokenizer(CORPUS, vocab_size=300)


@pytest.fixture(scope="module")
def metaspace():
    """A SentencePiece-style (Metaspace, not byte-level) tokenizer, built in memory."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=200, special_tokens=["<unk>", "</s>"],
                                                         show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="</s>", unk_token="<unk>")


def _assert_tiles(ranges, text):
    """Ranges are monotone, contiguous and cover exactly the UTF-8 bytes of `text`."""
    pos = 0
    for s, e in ranges:
        assert s == pos and e >= s
        pos = e
    assert pos == len(text.encode("utf-8"))


@pytest.mark.parametrize("text", TEXTS)
def test_byte_level_ranges_are_the_tokens_bytes(bbpe, text):
    ids = bbpe(text)["input_ids"]
    ranges = token_byte_ranges(bbpe, ids)
    assert is_byte_level(bbpe)
    _assert_tiles(ranges, text)
    raw = text.encode("utf-8")
    # Each range holds exactly that token's text (tokens that are a piece of a UTF-8
    # character decode alone to U+FFFD; the multibyte test below covers them).
    for tid, (s, e) in zip(ids, ranges):
        alone = bbpe.decode([tid])
        if "\ufffd" not in alone:
            assert raw[s:e].decode("utf-8") == alone


def test_multibyte_character_split_across_tokens_gets_byte_exact_ranges(bbpe):
    text = "😀"   # 4 bytes; a small byte-level vocab splits it
    ids = bbpe(text)["input_ids"]
    assert len(ids) > 1
    ranges = token_byte_ranges(bbpe, ids)
    _assert_tiles(ranges, text)
    assert all(e > s for s, e in ranges)


def test_eos_and_special_tokens_are_empty_ranges(bbpe):
    text = "    return x\n"
    im_end = bbpe.convert_tokens_to_ids("<|im_end|>")
    ids = bbpe(text)["input_ids"] + [im_end, bbpe.eos_token_id, bbpe.pad_token_id]
    ranges = token_byte_ranges(bbpe, ids)
    n = len(text.encode())
    assert ranges[-3:] == [(n, n)] * 3
    assert completion_text(bbpe, ids) == text


def test_special_token_in_the_middle_is_empty_at_its_position(bbpe):
    a, b = "x = 1\n", "y = 2\n"
    im_start = bbpe.convert_tokens_to_ids("<|im_start|>")
    ids_a = bbpe(a)["input_ids"]
    ids = ids_a + [im_start] + bbpe(b)["input_ids"]
    ranges = token_byte_ranges(bbpe, ids)
    assert ranges[len(ids_a)] == (len(a), len(a))
    _assert_tiles(ranges, a + b)


def test_fallback_agrees_with_the_exact_path_on_byte_level(bbpe):
    from egca.tokens import _incremental_ranges
    text = TEXTS[1]
    ids = bbpe(text)["input_ids"] + [bbpe.eos_token_id]
    exact = token_byte_ranges(bbpe, ids)
    incremental = _incremental_ranges(bbpe, ids, text.encode("utf-8"))
    _assert_tiles(incremental, text)
    # Identical except where a token ends inside a multi-byte character (decoded as U+FFFD),
    # whose bytes the incremental path gives to the token that completes the character.
    ascii_tokens = [k for k, (s, e) in enumerate(exact) if text.encode()[s:e].isascii()]
    assert all(exact[k][1] == incremental[k][1] for k in ascii_tokens if k + 1 < len(ids)
               and text.encode()[exact[k][1]:exact[k][1] + 1].isascii())


def test_non_byte_level_tokenizer_uses_incremental_decoding(metaspace):
    text = "def f(x):\n    return x + 1\n"
    ids = metaspace(text)["input_ids"] + [metaspace.eos_token_id]
    assert not is_byte_level(metaspace)
    decoded = completion_text(metaspace, ids)
    ranges = token_byte_ranges(metaspace, ids)
    _assert_tiles(ranges, decoded)
    assert ranges[-1][0] == ranges[-1][1]           # EOS
    raw = decoded.encode()
    # Every word-initial token's range starts at that word in the decoded text.
    ret = next(k for k, t in enumerate(metaspace.convert_ids_to_tokens(ids)) if t.lstrip("▁").startswith("return"))
    assert raw[ranges[ret][0]:ranges[ret][1]].strip().startswith(b"return")


def test_explicit_text_must_be_the_decoded_text(bbpe):
    text = "    return x\n"
    ids = bbpe(text)["input_ids"]
    assert token_byte_ranges(bbpe, ids, text) == token_byte_ranges(bbpe, ids)


# --- SentencePiece-style tokenizers (not byte-level): streaming decoding, linear time ---------------------

def _sentencepiece_bpe(corpus, vocab_size=300):
    """Llama-2 style, built in memory: BPE over '▁'-joined text (Metaspace-like normaliser), byte
    fallback with the 256 `<0xNN>` tokens as ordinary vocabulary, and SentencePiece's decoder."""
    import json

    from tokenizers import Tokenizer, decoders, models, normalizers, trainers
    from transformers import PreTrainedTokenizerFast
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"],
                                                         show_progress=False))
    spec = json.loads(tok.to_str())
    vocab = spec["model"]["vocab"]
    for b in range(256):
        vocab.setdefault(f"<0x{b:02X}>", len(vocab))
    spec["model"]["byte_fallback"] = True
    tok = Tokenizer.from_str(json.dumps(spec))
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


def _unigram_metaspace(corpus, vocab_size=200):
    """T5/XLNet style: a Unigram model with the Metaspace pre-tokenizer and decoder."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    tok.train_from_iterator(corpus, trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "</s>"],
                                                            unk_token="<unk>", show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="</s>", unk_token="<unk>")


@pytest.fixture(scope="module", params=["bpe_byte_fallback", "unigram_metaspace"])
def sentencepiece(request):
    make = _sentencepiece_bpe if request.param == "bpe_byte_fallback" else _unigram_metaspace
    return make(CORPUS)


@pytest.mark.parametrize("text", TEXTS)
def test_sentencepiece_style_ranges_tile_and_agree_with_prefix_decoding(sentencepiece, text):
    from egca.tokens import _incremental_ranges
    tok = sentencepiece
    ids = tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    assert not is_byte_level(tok)
    decoded = completion_text(tok, ids)
    ranges = token_byte_ranges(tok, ids)
    _assert_tiles(ranges, decoded)
    assert ranges[-1][0] == ranges[-1][1]           # EOS
    raw = decoded.encode()
    slow = _incremental_ranges(tok, ids, raw)
    # Same token ends as the quadratic prefix decoding wherever a token ends on a character boundary
    # (inside a multi-byte character the streaming ranges are finer: one byte per <0xNN> token).
    for k, ((s, e), (_, e2)) in enumerate(zip(ranges, slow)):
        boundary = e == len(raw) or (raw[e] & 0xC0) != 0x80
        if boundary:
            assert e == e2, (k, ranges, slow)
    # Each token's range is the text that token adds (its own decoding, minus the leading space
    # that SentencePiece decoders strip at the start of a text).
    pieces = tok.convert_ids_to_tokens(ids)
    for k, (s, e) in enumerate(ranges):
        if pieces[k].startswith("<0x") or ids[k] in tok.all_special_ids:
            continue
        alone = pieces[k].replace("▁", " ")
        assert raw[s:e].decode() in (alone, alone[1:] if k == 0 else alone), (k, pieces[k], raw[s:e])


def test_byte_fallback_gives_each_byte_token_its_byte(sentencepiece):
    tok = sentencepiece
    text = "x = '😀'\n"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    pieces = tok.convert_ids_to_tokens(ids)
    if not any(p.startswith("<0x") for p in pieces):
        pytest.skip("this tokenizer has no byte fallback (Unigram: the emoji is <unk>)")
    ranges = token_byte_ranges(tok, ids)
    _assert_tiles(ranges, completion_text(tok, ids))
    raw = completion_text(tok, ids).encode()
    for p, (s, e) in zip(pieces, ranges):
        if p.startswith("<0x"):
            assert raw[s:e] == bytes([int(p[3:5], 16)])


def test_offsets_are_linear_for_sentencepiece_style_tokenizers():
    """Count the work: the DecodeStream path never calls tokenizer.decode, and the windowed path (for
    tokenizers without a Rust backend) decodes O(1) tokens per token, where prefix decoding is O(n^2)."""
    from tokenizers.decoders import DecodeStream

    from egca.tokens import _decode_stream_pieces, _incremental_ranges, _window_pieces, stream_pieces
    tok = _sentencepiece_bpe(CORPUS)
    text = "".join(f"    v{i} = abs(numbers[{i}] - {i * 7}) < threshold  # é\n" for i in range(40))
    ids = tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    assert len(ids) > 500
    decoded_ids = []
    real_decode = tok.decode

    def counting_decode(token_ids, *a, **kw):
        decoded_ids.append(len(token_ids))
        return real_decode(token_ids, *a, **kw)

    tok.decode = counting_decode
    try:
        stream = stream_pieces(tok, ids)
        assert decoded_ids == []
        window = _window_pieces(tok, ids)
        assert sum(decoded_ids) <= 8 * len(ids)
        # Token by token, the same pieces as tokenizers' own DecodeStream.
        assert window == _decode_stream_pieces(DecodeStream, tok.backend_tokenizer, ids)
        decoded_ids.clear()
        _incremental_ranges(tok, ids, real_decode(ids, skip_special_tokens=True).encode())
        assert sum(decoded_ids) > len(ids) ** 2 / 4
    finally:
        del tok.decode
