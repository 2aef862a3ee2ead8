"""What both pages share: the stylesheet, the script, code blocks with nested
highlights, the heatmap colour scale and inline SVG charts. Everything is inlined:
a page needs no network to be viewed."""

from __future__ import annotations

import html
import re

MODE_COLOURS = {"logic": "#d6453d", "syntax": "#e8912d", "constraint": "#8e5cc2", "correct": "#3a9e5b"}
MODE_ORDER = ("logic", "syntax", "constraint", "correct")
# Heatmap: weight / max weight -> colour (white to dark purple-red).
_HEAT_STOPS = [(0.0, (255, 255, 255)), (0.25, (252, 197, 192)), (0.5, (247, 104, 161)),
               (0.75, (174, 1, 126)), (1.0, (73, 0, 106))]

CSS = """
:root { --fg:#1f2328; --muted:#667085; --line:#d8dee4; --bg:#ffffff; --panel:#f6f8fa;
        --cand:#fde2e1; --cand-edge:#cf222e; --ref:#dafbe1; --ref-edge:#1a7f37;
        --mono: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1480px; margin: 0 auto; padding: 18px 24px 40px; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 15px; margin: 22px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 13px; margin: 0 0 6px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
code, pre { font-family: var(--mono); font-size: 12.5px; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; vertical-align: 1px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; color: var(--muted); }
.meta b { color: var(--fg); font-weight: 600; }
.reason { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--cand-edge); border-radius: 6px; padding: 10px 14px; margin-top: 12px; }
.reason.ok { border-left-color: #3a9e5b; } .reason.uniform { border-left-color: #8e5cc2; } .reason.syntax { border-left-color: #e8912d; }
.reason .lead { font-weight: 600; margin: 0 0 4px; }
.reason p { margin: 4px 0; }
.reason code { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 0 3px; }
.reason ul { margin: 4px 0; padding-left: 20px; }
.sbs { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.pane { border: 1px solid var(--line); border-radius: 6px; overflow: hidden; min-width: 0; }
.pane > .title { background: var(--panel); border-bottom: 1px solid var(--line); padding: 5px 10px; font-weight: 600; font-size: 13px; display: flex; justify-content: space-between; gap: 8px; }
.pane > .title .muted { font-weight: 400; font-size: 12px; }
.codebox { display: flex; overflow-x: auto; }
.codebox pre { margin: 0; padding: 8px 0; line-height: 1.5; }
.gutter { text-align: right; color: #9aa4af; background: #fafbfc; border-right: 1px solid var(--line); padding: 8px 8px !important; user-select: none; }
.gutter .at { color: var(--cand-edge); font-weight: 700; }
.ref-pane .gutter .at { color: var(--ref-edge); }
.src { padding: 8px 12px !important; flex: 1; }
.prompt { color: #8b949e; }
.hl-span { border-radius: 3px; padding: 1px 0; }
.cand-pane .hl-span { background: var(--cand); box-shadow: 0 0 0 1.5px var(--cand-edge); }
.ref-pane .hl-span { background: var(--ref); box-shadow: 0 0 0 1.5px var(--ref-edge); }
.hl-narrowed { font-weight: 700; text-decoration: underline 2px; text-underline-offset: 3px; border-radius: 2px; }
.cand-pane .hl-narrowed { background: #ff8f88; box-shadow: 0 0 0 1px var(--cand-edge); }
.ref-pane .hl-narrowed { background: #7ee29a; box-shadow: 0 0 0 1px var(--ref-edge); }
.heat pre { margin: 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 6px; line-height: 1.75; overflow-x: auto; }
.tok { border-radius: 2px; cursor: default; }
.tok:not(.ws) { box-shadow: inset 0 0 0 .5px rgba(31,35,40,.18); }
.tok.dark { color: #fff; }
.tok:hover, .tok.hover { outline: 2px solid #0969da; outline-offset: 0; }
.legend { display: flex; align-items: center; gap: 10px; margin: 6px 0; color: var(--muted); font-size: 12.5px; flex-wrap: wrap; }
.scale { width: 180px; height: 12px; border: 1px solid var(--line); border-radius: 2px; }
.tok-info { font-family: var(--mono); font-size: 12.5px; min-height: 1.5em; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 2px 8px; }
table { border-collapse: collapse; }
.trace table { width: 100%; font-size: 12.5px; }
.trace th, .trace td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; }
.trace th { background: var(--panel); font-weight: 600; }
.trace th.side { text-align: center; }
.trace td.step { color: var(--muted); font-family: var(--mono); white-space: nowrap; text-align: right; }
.trace td.stmt code { white-space: pre; }
.trace tr.divergent td { background: #fff4cc; border-top: 2px solid #d4a72c; border-bottom: 2px solid #d4a72c; }
.trace tr.divergent td.mark { color: #9a6700; font-weight: 700; white-space: nowrap; }
.trace tr.after td { color: #57606a; }
.trace td.mark { width: 1%; white-space: nowrap; }
.chip { display: inline-block; font-family: var(--mono); font-size: 11.5px; background: #eef1f4; border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; margin: 1px 3px 1px 0; white-space: pre; }
.chip.t { background: #dafbe1; border-color: #aceebb; } .chip.f { background: #ffebe9; border-color: #ffcecb; }
.chip.ret { background: #ddf4ff; border-color: #b6e3ff; }
.testcode { margin: 0; padding: 8px 12px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; }
/* report */
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fff; }
.card svg { display: block; max-width: 100%; height: auto; }
.filters { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.96); border-bottom: 1px solid var(--line); padding: 8px 0; margin-top: 10px; display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
.filters label { cursor: pointer; user-select: none; }
.filters select { font: inherit; padding: 2px 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 2px; vertical-align: 0; }
.problems { width: 100%; font-size: 13px; }
.problems > thead th { text-align: left; background: var(--panel); border-bottom: 1px solid var(--line); padding: 6px 8px; position: sticky; top: 44px; z-index: 4; }
.problems > tbody.problem > tr.head > td { border-top: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
.problems th.num { text-align: right; }
.problems td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cands { padding: 0 0 4px 0 !important; }
details.cand { border-top: 1px dashed #e4e8ec; }
details.cand > summary { cursor: pointer; padding: 4px 8px 4px 24px; list-style-position: outside; display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
details.cand > summary::marker { color: var(--muted); }
details.cand[open] > summary { background: #f0f6ff; }
details.cand .blamed { font-family: var(--mono); font-size: 12px; background: var(--cand); border-radius: 3px; padding: 0 4px; max-width: 560px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
details.cand .view-slot { padding: 6px 16px 16px 24px; border-left: 3px solid #0969da; margin: 0 0 8px 10px; }
.cand-view h2:first-child { margin-top: 6px; }
.hidden { display: none !important; }
.empty { padding: 16px; color: var(--muted); }
"""

JS = r"""
(function () {
  'use strict';
  function fmt(w) { return (+w).toFixed(4); }
  function show(tok) {
    var view = tok.closest('.cand-view'); if (!view) return;
    var out = view.querySelector('.tok-info'); if (!out) return;
    view.querySelectorAll('.tok.hover').forEach(function (t) { t.classList.remove('hover'); });
    tok.classList.add('hover');
    var s = 'token ' + tok.dataset.i + '  ' + JSON.stringify(tok.textContent) + '  bytes ' + tok.dataset.b +
            '  weight ' + fmt(tok.dataset.w);
    if (tok.dataset.a !== undefined) s += '  advantage ' + fmt(tok.dataset.a);
    out.textContent = s; out.classList.remove('muted');
  }
  document.addEventListener('mouseover', function (e) {
    var t = e.target && e.target.closest ? e.target.closest('.tok') : null;
    if (t) show(t);
  });
  function fill(d) {
    var slot = d.querySelector('.view-slot');
    if (!slot || slot.dataset.filled) return;
    var tpl = document.getElementById(d.dataset.tpl);
    if (tpl) { slot.appendChild(tpl.content.cloneNode(true)); slot.dataset.filled = '1'; }
  }
  document.addEventListener('toggle', function (e) {
    var d = e.target;
    if (d.matches && d.matches('details.cand') && d.open) fill(d);
  }, true);
  function openHash() {
    var id = decodeURIComponent(location.hash.slice(1)); if (!id) return;
    var d = document.getElementById(id);
    if (d && d.matches('details.cand')) { d.classList.remove('hidden'); d.open = true; fill(d); d.scrollIntoView(); }
  }
  window.addEventListener('hashchange', openHash);
  function applyFilters() {
    var bar = document.querySelector('.filters'); if (!bar) return;
    var modes = {}; bar.querySelectorAll('input[data-mode]').forEach(function (c) { modes[c.dataset.mode] = c.checked; });
    var lang = bar.querySelector('select[name=language]').value;
    var shown = 0;
    document.querySelectorAll('details.cand').forEach(function (d) {
      var ok = modes[d.dataset.mode] !== false && (lang === '' || d.dataset.language === lang);
      d.classList.toggle('hidden', !ok); if (ok) shown++;
    });
    document.querySelectorAll('.problem').forEach(function (p) {
      p.classList.toggle('hidden', !p.querySelector('details.cand:not(.hidden)'));
    });
    var n = document.querySelector('.shown-count'); if (n) n.textContent = shown;
    var none = document.querySelector('.no-match'); if (none) none.classList.toggle('hidden', shown > 0);
  }
  document.addEventListener('change', function (e) {
    if (e.target.closest && e.target.closest('.filters')) applyFilters();
  });
  function ready() {
    applyFilters(); openHash();
    document.documentElement.dataset.ready = '1';
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready); else ready();
})();
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def prose(text: str) -> str:
    """Escaped text with `backtick` spans as <code>."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(f"<code>{esc(p[1:-1])}</code>" if p.startswith("`") and p.endswith("`") and len(p) > 1
                   else esc(p) for p in parts)


def document(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n"
            f"<script>{JS}</script>\n</body>\n</html>\n")


def badge(mode: str) -> str:
    return f'<span class="badge mode-{esc(mode)}" style="background:{MODE_COLOURS.get(mode, "#57606a")}">{esc(mode)}</span>'


def code_block(program: str, prefix_len: int, ranges: list[tuple[int, int, str]]) -> str:
    """A program with line numbers: its first `prefix_len` bytes (the prompt) dimmed and
    each (start_byte, end_byte, kind) range wrapped in <mark class="hl-KIND">, nested
    where ranges nest (a narrowed span inside the statement's span)."""
    data = program.encode("utf-8")
    layers = [(0, min(prefix_len, len(data)), "prompt", 0)] if prefix_len > 0 else []
    levels = {"span": 1, "narrowed": 2}
    layers += [(s, e, k, levels.get(k, 3)) for s, e, k in ranges if e > s]
    cuts = sorted({0, len(data), *[p for s, e, _, _ in layers for p in (s, e)]})
    out: list[str] = []
    stack: list[tuple[int, int, str, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        active = sorted((la for la in layers if la[0] <= a and b <= la[1]), key=lambda la: (la[3], la[0], -la[1]))
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] == active[keep]:
            keep += 1
        for _ in range(len(stack) - keep):
            out.append("</span>" if stack.pop()[2] == "prompt" else "</mark>")
        for la in active[keep:]:
            out.append('<span class="prompt">' if la[2] == "prompt" else f'<mark class="hl-{esc(la[2])}">')
            stack.append(la)
        out.append(esc(data[a:b].decode("utf-8", "replace")))
    for la in reversed(stack):
        out.append("</span>" if la[2] == "prompt" else "</mark>")
    n_lines = program.count("\n") + (0 if program.endswith("\n") else 1)
    marked = set()
    for s, e, _ in ranges:
        if e > s:
            first = data.count(b"\n", 0, s) + 1
            last = data.count(b"\n", 0, max(s, e - 1)) + 1
            marked.update(range(first, last + 1))
    gutter = "\n".join(f'<span class="at">{n}</span>' if n in marked else str(n) for n in range(1, max(n_lines, 1) + 1))
    return (f'<div class="codebox"><pre class="gutter" aria-hidden="true">{gutter}</pre>'
            f'<pre class="src"><code>{"".join(out)}</code></pre></div>')


def heat_colour(t: float) -> tuple[str, bool]:
    """CSS colour for intensity t in [0, 1], and whether text on it should be light."""
    t = min(1.0, max(0.0, t))
    for (t0, c0), (t1, c1) in zip(_HEAT_STOPS, _HEAT_STOPS[1:]):
        if t <= t1:
            u = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            rgb = tuple(round(x0 + (x1 - x0) * u) for x0, x1 in zip(c0, c1))
            return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})", t > 0.55
    return "rgb(73,0,106)", True


def heat_gradient() -> str:
    stops = ", ".join(f"rgb{c} {round(t * 100)}%" for t, c in _HEAT_STOPS)
    return f"linear-gradient(to right, {stops})"


# --- inline SVG charts -----------------------------------------------------------------------

def stacked_bars(rows: list[tuple[str, dict[str, int]]], order=MODE_ORDER, colours=MODE_COLOURS,
                 width: int = 480, bar_h: int = 22, label_w: int = 120) -> str:
    """One horizontal 100% bar per row (label, {mode: count}), segments labelled with percentages."""
    gap, top = 10, 6
    plot_w = width - label_w - 60
    height = top + len(rows) * (bar_h + gap) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" font-family="DejaVu Sans, sans-serif" font-size="12">']
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar_h + gap)
        total = sum(counts.values())
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h / 2 + 4}" text-anchor="end" fill="#1f2328">{esc(label)}</text>')
        x = float(label_w)
        for mode in order:
            n = counts.get(mode, 0)
            if not n or not total:
                continue
            w = plot_w * n / total
            parts.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" fill="{colours.get(mode, "#888")}">'
                         f'<title>{esc(label)} · {esc(mode)}: {n} of {total} ({100 * n / total:.1f}%)</title></rect>')
            if w >= 34:
                parts.append(f'<text x="{x + w / 2:.2f}" y="{y + bar_h / 2 + 4}" text-anchor="middle" fill="#fff" '
                             f'font-weight="600">{100 * n / total:.0f}%</text>')
            x += w
        parts.append(f'<text x="{label_w + plot_w + 8}" y="{y + bar_h / 2 + 4}" fill="#667085">n={total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: list[float], bins: int = 10, width: int = 480, height: int = 240,
              x_label: str = "", colour: str = "#d6453d") -> str:
    """Counts of `values` in [0, 1] in `bins` equal bins, with axes, ticks and counts."""
    left, right, top, bottom = 44, 12, 14, 44
    pw, ph = width - left - right, height - top - bottom
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v * bins)))] += 1
    peak = max(counts + [1])
    step = _nice_step(peak)
    y_max = step * -(-peak // step)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" font-family="DejaVu Sans, sans-serif" font-size="11">']
    for k in range(0, y_max + 1, step):
        y = top + ph - ph * k / y_max
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e9ed"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#667085">{k}</text>')
    bw = pw / bins
    for i, n in enumerate(counts):
        h = ph * n / y_max
        x = left + i * bw
        lo, hi = i / bins, (i + 1) / bins
        parts.append(f'<rect class="bin" x="{x + 1.5:.1f}" y="{top + ph - h:.1f}" width="{bw - 3:.1f}" height="{h:.1f}" '
                     f'fill="{colour}" data-count="{n}"><title>{lo:.1f}-{hi:.1f}: {n}</title></rect>')
        if n:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{top + ph - h - 4:.1f}" text-anchor="middle" fill="#1f2328">{n}</text>')
    parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#57606a"/>')
    for i in range(bins + 1):
        x = left + i * bw
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + ph}" y2="{top + ph + 4}" stroke="#57606a"/>')
        if i % 2 == 0 or bins <= 10:
            parts.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle" fill="#667085">{i / bins:.1f}</text>')
    if x_label:
        parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle" fill="#1f2328">{esc(x_label)}</text>')
    parts.append(f'<text transform="translate(12 {top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">candidates</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(peak: int) -> int:
    for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if peak / s <= 6:
            return s
    return 10 ** len(str(peak))


def mode_steps(rows: list[tuple[int, dict[str, int]]], width: int = 480, height: int = 240) -> str:
    """Mode fractions per training step: one 100% stacked column per step."""
    left, right, top, bottom = 44, 12, 12, 40
    pw, ph = width - left - right, height - top - bottom
    n = max(len(rows), 1)
    bw = pw / n
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" font-family="DejaVu Sans, sans-serif" font-size="11">']
    for k in (0, 25, 50, 75, 100):
        y = top + ph - ph * k / 100
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e9ed"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#667085">{k}%</text>')
    every = max(1, round(n / 12))
    for i, (step, counts) in enumerate(rows):
        total = sum(counts.values()) or 1
        y = float(top + ph)
        x = left + i * bw
        for mode in MODE_ORDER:
            c = counts.get(mode, 0)
            if not c:
                continue
            h = ph * c / total
            y -= h
            parts.append(f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(bw - 1, 0.5):.1f}" height="{h:.1f}" '
                         f'fill="{MODE_COLOURS[mode]}"><title>step {step} · {mode}: {c} of {total}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{top + ph + 14}" text-anchor="middle" fill="#667085">{step}</text>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle" fill="#1f2328">training step</text>')
    parts.append("</svg>")
    return "".join(parts)


def legend(counts: dict[str, int]) -> str:
    total = sum(counts.values()) or 1
    return " ".join(f'<span><span class="swatch" style="background:{MODE_COLOURS.get(m, "#888")}"></span>'
                    f'{esc(m)} {counts.get(m, 0)} ({100 * counts.get(m, 0) / total:.0f}%)</span>'
                    for m in MODE_ORDER if counts.get(m))
