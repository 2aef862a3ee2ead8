"""`egca report`: one HTML page over many analysis records (a demo, a batch of
`egca analyze --json` outputs, or what a training run logged).

The page has the mode fractions (overall, per language, per training step when
the records carry steps), a histogram of span size (the share of a completion's
tokens the span covers), one row per problem with its candidates, each of which
expands into the candidate view of `egca analyze --html`, and filters by mode
and language.
"""

from __future__ import annotations

import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

from egca.errors import InvalidInput
from egca.report.candidate import candidate_view
from egca.report.page import (MODE_COLOURS, MODE_ORDER, badge, document, esc, histogram, legend, mode_steps,
                              stacked_bars)
from egca.report.record import View, normalise, read_records

SNIPPET_CHARS = 80


def load(inputs: list[str]) -> list[dict]:
    records: list[dict] = []
    for name in inputs:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as e:
            raise InvalidInput(f"cannot read {name}: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise InvalidInput(f"{name} is not UTF-8 text") from None
        try:
            records.extend(read_records(text))
        except ValueError as e:
            raise InvalidInput(f"{name}: {e}") from None
    return records


def main(args) -> int:
    records = load(args.inputs)
    if not records:
        raise InvalidInput("no analysis records in " + ", ".join(args.inputs))
    page = report_page(records, title=args.title, views=args.views, sources=args.inputs)
    try:
        args.output.write_text(page, encoding="utf-8")
    except OSError as e:
        raise InvalidInput(f"cannot write {args.output}: {e.strerror or e}") from None
    print(f"egca: wrote {args.output} ({len(records)} candidates)", file=sys.stderr)
    return 0


def report_page(records: list[dict], title: str | None = None, views: int = 1000,
                sources: list[str] | None = None) -> str:
    all_views = [normalise(r) for r in records]
    title = title or f"EGCA report · {len(all_views)} candidates"
    embed_from = 0 if views <= 0 else max(0, len(all_views) - views)
    modes = Counter(v.mode for v in all_views)
    languages = sorted({v.language for v in all_views})
    problems: dict[tuple[str, str], list[tuple[int, View]]] = defaultdict(list)
    for k, v in enumerate(all_views):
        problems[(v.language, v.task_id)].append((k, v))

    parts = [f"<h1>{esc(title)}</h1>",
             '<div class="meta">'
             f"<span><b>{len(all_views)}</b> candidates</span><span><b>{len(problems)}</b> problems</span>"
             f"<span>languages: <b>{esc(', '.join(languages))}</b></span>"
             + (f"<span>from {esc(', '.join(sources))}</span>" if sources else "")
             + (f"<span>full views embedded for the latest {len(all_views) - embed_from}</span>" if embed_from else "")
             + "</div>"]
    parts.append(_summary(all_views, modes, languages))
    parts.append(_filters(modes, all_views, languages))
    parts.append(_problem_table(problems, embed_from))
    templates = [f'<template id="t{k}">{candidate_view(v)}</template>'
                 for k, v in enumerate(all_views) if k >= embed_from]
    parts.append("\n".join(templates))
    return document(title, "\n".join(parts))


def _summary(views: list[View], modes: Counter, languages: list[str]) -> str:
    rows = [("all", dict(modes))]
    if len(languages) > 1:
        for lang in languages:
            rows.append((lang, dict(Counter(v.mode for v in views if v.language == lang))))
    cards = [f'<div class="card mode-card"><h3>Mode fractions</h3>{stacked_bars(rows)}'
             f'<div class="legend">{legend(dict(modes))}</div></div>']
    fractions = [f for f in (v.span_fraction for v in views) if f is not None]
    if fractions:
        note = (f"{len(fractions)} of {len(views)} candidates have a span in the completion; "
                f"mean {statistics.fmean(fractions):.2f}, median {statistics.median(fractions):.2f}")
    else:
        note = "no candidate has a span in the completion"
    cards.append(f'<div class="card span-card"><h3>Span size</h3>'
                 f'{histogram(fractions, x_label="share of the completion tokens on the span")}'
                 f'<div class="legend">{esc(note)}</div></div>')
    steps = sorted({v.record["step"] for v in views if isinstance(v.record.get("step"), (int, float))})
    if len(steps) > 1:
        per_step = [(s, dict(Counter(v.mode for v in views if v.record.get("step") == s))) for s in steps]
        cards.append(f'<div class="card step-card"><h3>Mode fractions per training step</h3>{mode_steps(per_step)}'
                     f'<div class="legend">{legend(dict(modes))}</div></div>')
    return '<h2>Summary</h2><div class="cards">' + "".join(cards) + "</div>"


def _filters(modes: Counter, views: list[View], languages: list[str]) -> str:
    boxes = "".join(f'<label><input type="checkbox" data-mode="{esc(m)}" checked>'
                    f'<span class="swatch" style="background:{MODE_COLOURS.get(m, "#888")}"></span>{esc(m)} '
                    f'<span class="muted">{modes[m]}</span></label>'
                    for m in [*MODE_ORDER, *sorted(set(modes) - set(MODE_ORDER))] if modes.get(m))
    per_lang = Counter(v.language for v in views)
    options = '<option value="">all languages</option>' + "".join(
        f'<option value="{esc(lang)}">{esc(lang)} ({per_lang[lang]})</option>' for lang in languages)
    return ('<div class="filters"><b>Filter</b>' + boxes +
            f'<label>language <select name="language">{options}</select></label>'
            f'<span class="muted">showing <b class="shown-count">{len(views)}</b> of {len(views)} candidates</span></div>')


def _problem_table(problems: dict[tuple[str, str], list[tuple[int, View]]], embed_from: int) -> str:
    head = ('<thead><tr><th>problem</th><th>language</th><th class="num">candidates</th><th>modes</th>'
            '<th class="num">mean reward</th><th class="num">mean span size</th></tr></thead>')
    bodies = []
    for (lang, task), items in sorted(problems.items(), key=lambda kv: (kv[0][0], _natural(kv[0][1]))):
        counts = Counter(v.mode for _, v in items)
        rewards = [float(v.record["reward"]) for _, v in items if isinstance(v.record.get("reward"), (int, float))]
        fractions = [f for f in (v.span_fraction for _, v in items) if f is not None]
        cands = "".join(_candidate_row(k, v, k >= embed_from) for k, v in items)
        reward = f"{statistics.fmean(rewards):.2f}" if rewards else "-"
        span = f"{statistics.fmean(fractions):.2f}" if fractions else "-"
        bodies.append(
            f'<tbody class="problem" data-task="{esc(task)}" data-language="{esc(lang)}">'
            f'<tr class="head"><td><b>{esc(task)}</b></td><td>{esc(lang)}</td><td class="num">{len(items)}</td>'
            f'<td>{_mini_bar(counts)} <span class="muted">{esc(_counts_text(counts))}</span></td>'
            f'<td class="num">{reward}</td><td class="num">{span}</td></tr>'
            f'<tr><td class="cands" colspan="6">{cands}</td></tr></tbody>')
    return ('<h2>Problems</h2><table class="problems">' + head + "".join(bodies) + "</table>"
            '<p class="no-match empty hidden">No candidate matches the filters.</p>')


def _candidate_row(k: int, v: View, embedded: bool) -> str:
    r = v.record
    bits = [f'<span class="muted">#{k}</span>', badge(v.mode)]
    if r.get("step") is not None:
        bits.append(f'<span class="muted">step {esc(r["step"])}</span>')
    if "tests_total" in r:
        bits.append(f'<span>{r.get("tests_passed", 0)}/{r["tests_total"]} tests</span>')
    if r.get("advantage") is not None:
        bits.append(f'<span class="muted">A = {float(r["advantage"]):+.3f}</span>')
    snippet = v.span_text().strip().splitlines()
    if snippet:
        text = snippet[0] + (" ..." if len(snippet) > 1 else "")
        if len(text) > SNIPPET_CHARS:
            text = text[:SNIPPET_CHARS - 3] + "..."
        bits.append(f'<span class="blamed" title="the blamed span">{esc(text)}</span>')
    elif v.mode == "constraint" and r.get("constraint_violations"):
        bits.append(f'<span class="muted">{esc(r["constraint_violations"][0])}</span>')
    elif (r.get("divergence") or {}).get("reason"):
        bits.append(f'<span class="muted">{esc(r["divergence"]["reason"][:SNIPPET_CHARS])}</span>')
    if r.get("note"):
        bits.append(f'<i class="muted">{esc(r["note"])}</i>')
    slot = ('<div class="view-slot"></div>' if embedded
            else '<div class="view-slot empty">(full view not embedded: see --views)</div>')
    return (f'<details class="cand" id="c{k}" data-tpl="t{k}" data-mode="{esc(v.mode)}" '
            f'data-language="{esc(v.language)}"><summary>{"".join(bits)} <a href="#c{k}" class="muted">link</a>'
            f'</summary>{slot}</details>')


def _mini_bar(counts: Counter, width: int = 120, height: int = 10) -> str:
    total = sum(counts.values()) or 1
    x, rects = 0.0, []
    for m in MODE_ORDER:
        if counts.get(m):
            w = width * counts[m] / total
            rects.append(f'<rect x="{x:.2f}" width="{w:.2f}" height="{height}" fill="{MODE_COLOURS[m]}"/>')
            x += w
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="minibar" '
            f'style="vertical-align:-1px">{"".join(rects)}</svg>')


def _counts_text(counts: Counter) -> str:
    return ", ".join(f"{counts[m]} {m}" for m in [*MODE_ORDER, *sorted(set(counts) - set(MODE_ORDER))] if counts.get(m))


def _natural(task: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", task))
