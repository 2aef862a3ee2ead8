"""`EGCATrainConfig`: TRL's `GRPOConfig` plus the EGCA switches (TRL style: defaults next to the field)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trl import GRPOConfig

from egca.train.weights import POSITIVE_CREDIT

# The paper's settings (arXiv 2603.16158, §5): group size, learning rate, KL β, clip ε.
PAPER_PRESET: dict[str, object] = {"num_generations": 16, "learning_rate": 5e-7, "beta": 0.05, "epsilon": 0.2}
PRESETS: dict[str, dict[str, object]] = {"paper": PAPER_PRESET}

METHODS = ("egca", "grpo")
# Loss types under which a (B, T) advantage keeps its per-token meaning and each
# sequence's total is conserved (tests/test_trainer.py checks each). `luspo` and
# `vespo` weight whole sequences (sequence-level importance ratios), which would
# spread a span's credit over every token again.
SUPPORTED_LOSS_TYPES = ("grpo", "bnpo", "dr_grpo", "dapo", "cispo", "sapo")


@dataclass
class EGCATrainConfig(GRPOConfig):
    r"""
    Configuration of [`EGCATrainer`]: every [`trl.GRPOConfig`] field, plus:

    Parameters:
        method (`str`, *optional*, defaults to `"egca"`):
            `"egca"`: per-token advantages A_i · w_{i,t} from the engine's span. `"grpo"`: the same
            reward from the same engine, spread uniformly (plain GRPO). Nothing else differs, for A/B runs.
        engine_address (`str` or `None`, *optional*, defaults to `None`):
            `host:port` of an Engine gRPC service (`egca serve`). `None`: run the engine in-process,
            starting local runtimes.
        runtimes (`dict[str, list[str]]` or `None`, *optional*, defaults to `None`):
            For the in-process engine: language -> Tracer addresses to use instead of local runtimes.
        weighting (`str`, *optional*, defaults to `"span"`):
            How the engine spreads a localized candidate's credit (egca.spans): `"span"` (the paper),
            `"span_mix"` (part on the span, the rest uniform), `"uniform"`.
        test_reward (`str`, *optional*, defaults to `"binary"`):
            `"binary"`: 1.0 iff every test passes. `"fraction"`: tests passed / tests total.
        inject_constraints (`bool`, *optional*, defaults to `False`):
            Add the constraints extracted from the reference (`LanguageAdapter.extract_constraints`) to the
            prompt, as comments (completion prompts) or as text (chat prompts).
        prompt_style (`str`, *optional*, defaults to `"completion"`):
            `"completion"`: the prompt is the problem's prompt and the model continues the code.
            `"chat"`: a chat-template prompt; the model answers with code in a Markdown fence.
        engine_workers (`int`, *optional*, defaults to `1`):
            Problems of one generation batch analysed concurrently (one engine call per problem group).
        positive_credit (`str`, *optional*, defaults to `"complement"`):
            Where a *positive* advantage goes when the engine blamed a span (a failing candidate that
            still beat its group's mean: `test_reward="fraction"`, or another reward function).
            Localized credit is for negative advantages only. `"complement"`: uniformly over the
            tokens outside the span, so the run never reinforces the statement the engine blamed and
            rewards the rest of the program, which the reward says was better than the group's
            (uniform when the span covers every token). `"uniform"`: over every token, as plain GRPO.
        analyses_log (`bool`, *optional*, defaults to `False`):
            Write each logging step's analyses as JSONL to `log_analyses_to` (default
            `<output_dir>/analyses.jsonl`): one line per candidate, the `egca analyze --json` object
            plus `step`, `task_id`, `language`, `prompt`, `completion`, `reference`, `tokens`, `advantage`.
        log_analyses_to (`str` or `None`, *optional*, defaults to `None`):
            Path of that JSONL file; setting it turns `analyses_log` on.
        check_eval_overlap (`bool`, *optional*, defaults to `True`):
            Warn (one line) when training problems are in a known evaluation set (HumanEval and its
            ports, MBPP's test split), by task id or by normalised prompt/reference text
            (`egca.train.data.find_eval_overlap`).

    Defaults differing from `GRPOConfig`: none; `EGCATrainConfig.from_preset("paper", ...)` applies
    `PAPER_PRESET` (G = 16, learning rate 5e-7, β = 0.05, ε = 0.2) under explicit overrides.
    """

    method: str = field(default="egca", metadata={"help": "egca | grpo", "choices": list(METHODS)})
    engine_address: str | None = field(default=None, metadata={"help": "host:port of an Engine gRPC service."})
    runtimes: dict | str | None = field(default=None, metadata={"help": "language -> Tracer addresses."})
    weighting: str = field(default="span", metadata={"help": "span | span_mix | uniform | narrow | narrow_mix"})
    test_reward: str = field(default="binary", metadata={"help": "binary | fraction"})
    inject_constraints: bool = field(default=False, metadata={"help": "Add extracted constraints to prompts."})
    prompt_style: str = field(default="completion", metadata={"help": "completion | chat"})
    engine_workers: int = field(default=1, metadata={"help": "Problem groups analysed concurrently."})
    positive_credit: str = field(default="complement", metadata={
        "help": "complement | uniform: where a positive advantage of a candidate with a blamed span goes.",
        "choices": list(POSITIVE_CREDIT)})
    analyses_log: bool = field(default=False, metadata={"help": "Write each logging step's analyses as JSONL."})
    log_analyses_to: str | None = field(default=None, metadata={
        "help": "JSONL path for the analyses (default <output_dir>/analyses.jsonl); implies analyses_log."})
    check_eval_overlap: bool = field(default=True, metadata={
        "help": "Warn when training problems are in an evaluation set (HumanEval and ports, MBPP test)."})

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        from egca.spans import WEIGHTINGS
        if self.weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {self.weighting!r}")
        if self.test_reward not in ("binary", "fraction"):
            raise ValueError(f"test_reward must be binary or fraction, got {self.test_reward!r}")
        if self.prompt_style not in ("completion", "chat"):
            raise ValueError(f"prompt_style must be completion or chat, got {self.prompt_style!r}")
        if self.engine_workers < 1:
            raise ValueError("engine_workers must be >= 1")
        if self.positive_credit not in POSITIVE_CREDIT:
            raise ValueError(f"positive_credit must be one of {POSITIVE_CREDIT}, got {self.positive_credit!r}")
        if self.log_analyses_to:
            self.analyses_log = True
        super().__post_init__()
        if self.method == "egca":
            # Checked for egca only: these settings are fine for plain GRPO but undo token credit.
            if self.loss_type not in SUPPORTED_LOSS_TYPES:
                raise ValueError(f"method='egca' supports loss_type in {SUPPORTED_LOSS_TYPES}, got {self.loss_type!r}")
            if self.importance_sampling_level != "token":
                raise ValueError("method='egca' needs importance_sampling_level='token': a sequence-level ratio "
                                 "spreads the span's credit over every token")
            if self.top_entropy_quantile < 1.0:
                raise ValueError("method='egca' needs top_entropy_quantile=1.0: the entropy mask would drop span "
                                 "tokens and break conservation of each sequence's advantage")

    @property
    def analyses_log_path(self) -> str | None:
        """Where the analyses JSONL goes, or None when the log is off."""
        if not self.analyses_log:
            return None
        import os
        return self.log_analyses_to or os.path.join(self.output_dir, "analyses.jsonl")

    @classmethod
    def from_preset(cls, preset: str | None, **overrides) -> "EGCATrainConfig":
        """A config with a named preset's values, then `overrides` on top."""
        values: dict[str, object] = {}
        if preset is not None:
            if preset not in PRESETS:
                raise ValueError(f"unknown preset {preset!r} (known: {', '.join(PRESETS)})")
            values.update(PRESETS[preset])
        values.update(overrides)
        return cls(**values)
