"""One candidate's page: what the engine blamed and why (`egca analyze --html`).

Sections, as far as the mode gives them meaning: the reason in words; the
candidate and the reference side by side, the divergent span highlighted in
both (and a narrowed sub-statement span inside it when the analysis carries
one); the token-weight heatmap over the completion; the aligned trace steps
around the divergence; the test that failed.
"""

from __future__ import annotations

from egca.report.page import badge, code_block, document, esc, heat_colour, heat_gradient, prose
from egca.report.record import View, normalise

LEADS = {
    "branch": "A condition decided differently from the reference's.",
    "value": "A statement computed a different value from the reference's.",
    "call": "A function was called with different arguments from the reference's.",
    "return": "The function returned a different result; no earlier step told the two programs apart.",
    "missing": "A write the reference made never happened: the condition guarding it kept it from running.",
    "syntax": "The program does not parse here.",
    "compile": "The program does not compile: the compiler's first error is here.",
    "error": "The program crashed here.",
    "timeout": "The program did not finish in time: this loop never ended.",
}


def candidate_page(record: dict) -> str:
    """A complete, self-contained HTML document for one record."""
    view = normalise(record)
    return document(f"EGCA · {view.task_id} · {view.mode}", candidate_view(view, heading=True))


def candidate_view(view: View, heading: bool = False) -> str:
    """The view's HTML (a fragment; the page's stylesheet and script make it interactive)."""
    r = view.record
    parts = [f'<div class="cand-view" data-mode="{esc(view.mode)}" data-language="{esc(view.language)}">']
    if heading:
        parts.append(f'<h1>{esc(view.task_id)} <span class="muted">({esc(view.language)})</span></h1>')
    parts.append(_meta(view))
    parts.append(_reason(view))
    parts.append(_side_by_side(view))
    parts.append(_heatmap(view))
    if r.get("trace") and r["trace"].get("rows"):
        parts.append(_trace(r["trace"]))
    if r.get("failing_test") is not None:
        parts.append(_failing_test(r))
    parts.append("</div>")
    return "\n".join(parts)


def _meta(view: View) -> str:
    r = view.record
    items = [badge(view.mode)]
    if "reward" in r:
        items.append(f"reward <b>{r['reward']:g}</b>")
    if "tests_total" in r:
        items.append(f"tests <b>{r.get('tests_passed', 0)}/{r['tests_total']}</b> passed")
    if r.get("failing_test") is not None:
        items.append(f"first failing test <b>{esc(r['failing_test'])}</b>")
    if r.get("advantage") is not None:
        items.append(f"advantage <b>{float(r['advantage']):+.4f}</b>")
    if r.get("step") is not None:
        items.append(f"step <b>{esc(r['step'])}</b>")
    if r.get("note"):
        items.append(f"<i>{esc(r['note'])}</i>")
    return f'<div class="meta">{"".join(f"<span>{i}</span>" for i in items)}</div>'


def _reason(view: View) -> str:
    r = view.record
    div = r.get("divergence") or None
    mode = view.mode
    body: list[str] = []
    cls = ""
    if mode == "correct":
        cls = "ok"
        lead = f"Passes all {r.get('tests_total', '')} tests: nothing to blame, so credit is spread uniformly over its tokens."
    elif mode == "constraint":
        cls = "uniform"
        lead = "Violates a constraint read off the reference (or is not comparable with it): credit is uniform."
        violations = r.get("constraint_violations") or []
        if violations:
            body.append("<ul>" + "".join(f"<li>{prose(v)}</li>" for v in violations) + "</ul>")
    elif div is None:
        cls = "uniform" if mode == "logic" else "syntax"
        if mode == "logic":
            lead = (f"Fails test {esc(r.get('failing_test'))}, but no divergence from the reference could be "
                    f"localised: credit is uniform.")
        else:
            lead = "Does not compile, crashes or times out, and the runtime did not say where: credit is uniform."
    else:
        cls = "syntax" if mode == "syntax" else ""
        lead = LEADS.get(div.get("kind", ""), "Here the candidate's execution left the reference's.")
        body.append(f'<p class="why">{prose(div.get("reason", ""))}</p>')
        facts = [f"kind: <b>{esc(div.get('kind', '?'))}</b>"]
        cand = div.get("candidate")
        if cand:
            lines = (f"line {cand['start_line']}" if cand["start_line"] == cand["end_line"]
                     else f"lines {cand['start_line']}-{cand['end_line']}")
            facts.append(f"candidate {lines}")
        ref = div.get("reference")
        if ref:
            facts.append(f"reference line {ref['start_line']}" if ref["start_line"] == ref["end_line"]
                         else f"reference lines {ref['start_line']}-{ref['end_line']}")
        if r.get("span"):
            c = r["span"]["completion"]
            facts.append(f"span: completion bytes {c['start_byte']}-{c['end_byte']}, "
                         f"{view.span_tokens} of {len(view.tokens)} tokens")
        else:
            facts.append("the location lies outside the completion: credit is uniform")
        body.append(f'<p class="muted">{" · ".join(facts)}</p>')
    return f'<section class="reason {cls}"><p class="lead">{lead}</p>{"".join(body)}</section>'


def _side_by_side(view: View) -> str:
    div = view.record.get("divergence") or {}
    narrowed = any(k == "narrowed" for _, _, k in view.cand_ranges + view.ref_ranges)
    cand_note = "prompt dimmed" + (" · blamed span highlighted" if view.cand_ranges else "") + (
        " · narrowed part underlined" if narrowed else "")
    if view.candidate_prefix == 0 and view.record.get("prompt") and "program" not in view.record:
        cand_note = "completion only"
    ref_note = "prompt dimmed" + (" · counterpart highlighted" if view.ref_ranges else "") + (
        " · narrowed part underlined" if any(k == "narrowed" for _, _, k in view.ref_ranges) else "")
    if not view.record.get("reference"):
        ref_html = '<div class="empty">no reference in this record</div>'
    else:
        ref_html = code_block(view.reference_program, view.reference_prefix, view.ref_ranges)
    if div and div.get("reference") is None and view.mode == "logic":
        ref_note += " · no counterpart statement"
    return ('<h2>Candidate and reference</h2><div class="sbs">'
            f'<div class="pane cand-pane"><div class="title"><span>Candidate</span><span class="muted">{esc(cand_note)}</span></div>'
            f'{code_block(view.candidate_program, view.candidate_prefix, view.cand_ranges)}</div>'
            f'<div class="pane ref-pane"><div class="title"><span>Reference</span><span class="muted">{esc(ref_note)}</span></div>'
            f'{ref_html}</div></div>')


def _heatmap(view: View) -> str:
    data = view.completion.encode("utf-8")
    weights = view.weights
    peak = max(weights, default=0.0)
    uniform = bool(weights) and max(weights) - min(weights) < 1e-12
    advantage = view.record.get("advantage")
    cells, pos = [], 0
    for i, ((s, e), w) in enumerate(zip(view.tokens, weights)):
        if s > pos:   # bytes no token covers (a tokenizer's gaps): shown plain
            cells.append(esc(data[pos:s].decode("utf-8", "replace")))
        text = data[s:e].decode("utf-8", "replace")
        t = 0.3 if uniform else (w / peak if peak > 0 else 0.0)
        colour, dark = heat_colour(t)
        classes = "tok" + (" ws" if not text.strip() else "") + (" dark" if dark else "") + (" on" if w > 0 and not uniform else "")
        extra = f' data-a="{float(advantage) * w:.6g}"' if advantage is not None else ""
        cells.append(f'<span class="{classes}" data-i="{i}" data-w="{w:.6g}" data-b="{s}-{e}"{extra} '
                     f'style="background:{colour}" title="token {i} · weight {w:.4f}">{esc(text)}</span>')
        pos = max(pos, e)
    if pos < len(data):
        cells.append(esc(data[pos:].decode("utf-8", "replace")))
    source = ("tokens: a word / punctuation / whitespace split of the completion (no tokenizer here)"
              if view.tokens_from == "split" else f"tokens from the {view.tokens_from}")
    total = sum(weights)
    note = (f"uniform: every token gets 1/{len(weights)}" if uniform
            else f"{sum(1 for w in weights if w > 0)} of {len(weights)} tokens carry weight")
    return ('<h2>Token weights</h2><div class="heat">'
            f'<div class="legend"><span>0</span><span class="scale" style="background:{heat_gradient()}"></span>'
            f'<span>{peak:.4f}</span><span>· {esc(note)} · Σ = {total:.3f} · {esc(source)}</span></div>'
            f'<pre>{"".join(cells)}</pre>'
            '<div class="legend"><span>hover a token:</span><span class="tok-info muted">(its index, text, bytes and weight)</span>'
            '</div></div>')


def _trace(trace: dict) -> str:
    rows = []
    passed = False
    for row in trace["rows"]:
        cls = "divergent" if row.get("divergent") else ("after" if passed else "")
        passed = passed or bool(row.get("divergent"))
        mark = "k* ▶" if row.get("divergent") else ""
        cells = [f'<td class="mark">{mark}</td>']
        for side in ("candidate", "reference"):
            e = row.get(side)
            if e is None:
                cells.append('<td class="step"></td><td class="stmt muted">—</td><td></td>')
                continue
            line = f' <span class="muted">line {e["line"]}</span>' if e.get("line") else ""
            stmt = e.get("statement", "")
            if e.get("kind") == "call":
                stmt = f"call {e.get('function', '')}"
            kind = e.get("branch_kind") or ""
            what = f'<span class="muted">{esc(kind)}</span> ' if kind and not stmt.startswith(kind) else ""
            cells.append(f'<td class="step">#{e["step"]}</td><td class="stmt">{what}<code>{esc(stmt)}</code>{line}</td>'
                         f'<td>{_effects(e)}</td>')
        rows.append(f'<tr class="{cls}">{"".join(cells)}</tr>')
    head = ('<tr><th rowspan="2"></th><th class="side" colspan="3">candidate</th><th class="side" colspan="3">reference</th></tr>'
            '<tr><th>step</th><th>statement</th><th>bindings</th><th>step</th><th>statement</th><th>bindings</th></tr>')
    ref_at = trace.get("reference_event")
    note = (f"k* = event {trace.get('candidate_event')} of {trace.get('candidate_events')} in the candidate's trace, "
            + (f"event {ref_at} of {trace.get('reference_events')} in the reference's"
               if ref_at is not None else "no counterpart event in the reference's"))
    return (f'<h2>Aligned trace around the divergence</h2><div class="trace"><p class="muted">{esc(note)}; rows pair the '
            f'i-th step before and after it on each side.</p><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
            '</table></div>')


def _effects(e: dict) -> str:
    chips = [f'<span class="chip">{esc(n)} = {esc(v)}</span>' for n, v in e.get("bindings", [])]
    if e.get("kind") == "branch":
        t = e.get("outcome") == "true"
        chips.append(f'<span class="chip {"t" if t else "f"}">→ {esc(e.get("outcome"))}</span>')
    elif e.get("kind") == "return":
        chips.append(f'<span class="chip ret">returns {esc(e.get("value"))}</span>')
    elif e.get("kind") == "exception":
        chips.append(f'<span class="chip f">{esc(e.get("message", ""))}</span>')
    return "".join(chips)


def _failing_test(r: dict) -> str:
    code = r.get("failing_test_code")
    body = (f'<pre class="testcode"><code>{esc(code)}</code></pre>' if code
            else '<p class="muted">(the record does not carry the test\'s code)</p>')
    return f'<h2>Failing test <code>{esc(r["failing_test"])}</code></h2>{body}'
