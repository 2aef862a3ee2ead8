"""A tiny Qwen2-style model and byte-level BPE tokenizer, built offline.

For the CPU example and the tests: the tokenizer is trained in memory with
`tokenizers` on the built-in datasets' text, the model (2 layers, hidden 64)
is randomly initialised, and both are saved as an ordinary HF model directory
that `transformers` (and `egca train`) load by path. Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

EOS = "<|endoftext|>"
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
# A ChatML template (as Qwen's) so chat-style prompts work with the tiny model too.
QWEN2_PRETOKENIZE_REGEX = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"""
                           r"""\s*[\r\n]+|\s+(?!\S)|\s+""")
CHAT_TEMPLATE = ("{% for m in messages %}" + IM_START + "{{ m['role'] }}\n{{ m['content'] }}" + IM_END + "\n"
                 "{% endfor %}{% if add_generation_prompt %}" + IM_START + "assistant\n{% endif %}")


def corpus_from_datasets(names: Iterable[str] = ("humaneval", "mbpp")) -> list[str]:
    """Prompt + reference text of built-in datasets (the datasets that are installed)."""
    from egca import datasets
    known = datasets.list_datasets()
    texts = []
    for name in names:
        if name in known:
            texts.extend(p.prompt + p.reference for p in datasets.load(name))
    if not texts:
        raise ValueError(f"none of the datasets {list(names)} is installed (known: {sorted(known)})")
    return texts


def build_tokenizer(texts: list[str], vocab_size: int = 1024):
    """A byte-level BPE tokenizer (GPT-2/Qwen style) trained in memory on `texts`."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    # Qwen2's exact pipeline, so the directory reloads (as Qwen2Tokenizer) to the same tokenizer.
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PRETOKENIZE_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS, IM_START, IM_END],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=EOS,
                                 additional_special_tokens=[IM_START, IM_END], clean_up_tokenization_spaces=False)
    hf.chat_template = CHAT_TEMPLATE
    return hf


def build_model(tokenizer, hidden_size: int = 64, num_layers: int = 2, seed: int = 0):
    """A randomly initialised 2-layer Qwen2 causal LM sized to the tokenizer."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    eos_ids = [tokenizer.convert_tokens_to_ids(EOS), tokenizer.convert_tokens_to_ids(IM_END)]
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=hidden_size * 2,
                         num_hidden_layers=num_layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=2048, tie_word_embeddings=True,
                         bos_token_id=eos_ids[0], eos_token_id=eos_ids[0], pad_token_id=eos_ids[0])
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=eos_ids, pad_token_id=eos_ids[0],
                                               bos_token_id=eos_ids[0])
    return model


def warm_start(model, tokenizer, texts: list[str], steps: int, lr: float = 3e-3, batch_size: int = 8,
               max_length: int = 512, seed: int = 0) -> float:
    """A few language-model steps on `texts`, so that a random model writes code that mostly
    parses (for examples and timing runs, not a model anyone should evaluate). Returns the last loss."""
    import torch
    g = torch.Generator().manual_seed(seed)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    eos = tokenizer.eos_token
    loss = torch.tensor(float("nan"))
    for _ in range(steps):
        idx = torch.randint(len(texts), (batch_size,), generator=g).tolist()
        batch = tokenizer([texts[i] + eos for i in idx], return_tensors="pt", padding=True, truncation=True,
                          max_length=max_length)
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        loss = model(**batch, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    return float(loss.detach())


def build_tiny(out_dir: str | Path, datasets: Iterable[str] = ("humaneval", "mbpp"), vocab_size: int = 1024,
               hidden_size: int = 64, num_layers: int = 2, seed: int = 0, warm_start_steps: int = 0,
               warm_start_texts: list[str] | None = None, extra_corpus: list[str] | None = None) -> Path:
    """Build and save the tiny model + tokenizer to `out_dir` (a normal HF model directory).

    The tokenizer learns from the datasets' text plus `extra_corpus` (`datasets` may be empty
    when `extra_corpus` is given). `warm_start_steps` > 0 first fits the model briefly on
    `warm_start_texts` (default: that corpus), so its samples parse often enough to exercise
    every engine mode."""
    out = Path(out_dir)
    datasets = list(datasets)
    corpus = (corpus_from_datasets(datasets) if datasets or not extra_corpus else []) + list(extra_corpus or [])
    tokenizer = build_tokenizer(corpus, vocab_size)
    model = build_model(tokenizer, hidden_size, num_layers, seed)
    if warm_start_steps:
        warm_start(model, tokenizer, warm_start_texts or corpus, warm_start_steps, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
