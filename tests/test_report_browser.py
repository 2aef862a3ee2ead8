"""The report's pages in a real browser: headless Chromium (Debian's `chromium`,
installed by setup.sh; these tests fail, not skip, without it) loads each page,
the checks read the DOM after the page's scripts ran, and every test keeps a
screenshot under $EGCA_REPORT_ARTIFACTS (default tests/artifacts/, gitignored)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from egca import datasets
from egca.report.browser import Chromium
from egca.report.candidate import candidate_page
from egca.report.record import analysis_record

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("EGCA_REPORT_ARTIFACTS") or Path(__file__).parent / "artifacts")
EGCA = [sys.executable, "-m", "egca.cli"]
WRONG_COMPARISON_0 = """    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2:
                distance = abs(elem - elem2)
                if distance > threshold:
                    return True

    return False
"""
# Text of all highlight marks of one kind in one pane, in document order.
MARKED = ("((root, pane, kind) => Array.from(root.querySelectorAll(`.${pane}-pane mark.hl-${kind}`))"
          ".map(e => e.textContent).join(''))")


@pytest.fixture(scope="module")
def browser():
    with Chromium() as b:
        yield b


def egca(*args: str) -> subprocess.CompletedProcess:
    r = subprocess.run([*EGCA, *args], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "GRPC_VERBOSITY": "ERROR"})
    assert r.returncode == 0, r.stderr
    return r


def load(browser: Chromium, path: Path) -> None:
    browser.requests.clear()
    browser.console.clear()
    browser.open(path.resolve().as_uri())


def assert_self_contained(browser: Chromium, path: Path) -> None:
    """The page fetched nothing but itself, and its script raised nothing."""
    assert browser.requests == [path.resolve().as_uri()], browser.requests
    assert not [m for m in browser.console if m.startswith("exception")], browser.console


def marked(browser: Chromium, pane: str, kind: str = "span", root: str = "document") -> str:
    return browser.evaluate(f"{MARKED}({root}, {json.dumps(pane)}, {json.dumps(kind)})")


def heat(browser: Chromium, root: str = "document") -> list[dict]:
    """Each heatmap cell: text, weight and the colour the browser drew it in."""
    return browser.evaluate(
        f"Array.from({root}.querySelectorAll('.heat .tok')).map(t => ({{text: t.textContent, w: +t.dataset.w, "
        "bg: getComputedStyle(t).backgroundColor}))")


def luminance(css: str) -> float:
    r, g, b = (int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_analyze_html_highlights_the_wrong_comparison(browser, tmp_path):
    f = tmp_path / "F.py"
    f.write_text(WRONG_COMPARISON_0)
    page = tmp_path / "out.html"
    egca("analyze", "--dataset", "humaneval", "--task", "HumanEval/0", "--candidate", str(f), "--html", str(page))
    load(browser, page)
    assert marked(browser, "cand") == "distance > threshold"
    assert marked(browser, "ref") == "distance < threshold"

    cells = heat(browser)
    assert "".join(c["text"] for c in cells) == WRONG_COMPARISON_0          # one cell per token, all of it
    dark = [c for c in cells if luminance(c["bg"]) < 0.5]
    assert "".join(c["text"] for c in dark) == "distance > threshold"        # dark only on the statement
    assert all(luminance(c["bg"]) > 0.95 for c in cells if c["w"] == 0)
    assert abs(sum(c["w"] for c in cells) - 1.0) < 1e-4

    browser.hover(".heat .tok.on")
    info = browser.evaluate("document.querySelector('.tok-info').textContent")
    assert '"distance"' in info and "weight 0.2000" in info

    row = browser.evaluate("Array.from(document.querySelectorAll('.trace tr.divergent td')).map(t => t.textContent)")
    assert any("distance > threshold" in t for t in row) and any("distance < threshold" in t for t in row)
    assert any("→ true" in t for t in row) and any("→ false" in t for t in row)
    reason = browser.evaluate("document.querySelector('.reason').textContent")
    assert "distance > threshold" in reason and "condition" in reason
    assert browser.evaluate("document.querySelector('.testcode').textContent").count("assert") >= 1
    assert_self_contained(browser, page)
    browser.screenshot(ARTIFACTS / "analyze_HumanEval_0.png")


def _demo_rows(mode: str) -> dict:
    from egca.demo import examples

    return next(r for r in examples() if r["dataset"] == "humaneval" and r["expected_mode"] == mode)


@pytest.mark.parametrize("mode", ["syntax", "constraint", "correct"])
def test_other_modes_show_what_is_meaningful(browser, engine, tmp_path, mode):
    row = _demo_rows(mode)
    problem = datasets.get(row["dataset"], row["task_id"])
    result = engine.analyze(problem, [row["completion"]])[0]
    assert result.mode == mode
    page = tmp_path / f"{mode}.html"
    page.write_text(candidate_page(analysis_record(problem, row["completion"], result, note=row["note"])))
    load(browser, page)
    cells = heat(browser)
    assert "".join(c["text"] for c in cells) == row["completion"]
    assert marked(browser, "ref") == ""                                      # nothing to point at in the reference
    reason = browser.evaluate("document.querySelector('.reason').textContent")
    if mode == "syntax":
        s, e = result.span.completion
        assert marked(browser, "cand") == row["completion"].encode()[s:e].decode()
        assert "does not compile" in reason and result.divergence.reason in reason
        assert "".join(c["text"] for c in cells if c["w"] > 0) == row["completion"].encode()[s:e].decode()
    else:
        assert marked(browser, "cand") == ""
        assert len({c["w"] for c in cells}) == 1                             # uniform credit
        assert ("never reads its parameters" in reason) if mode == "constraint" else ("Passes all" in reason)
    assert browser.evaluate("document.querySelectorAll('.trace').length") == 0
    assert_self_contained(browser, page)
    browser.screenshot(ARTIFACTS / f"view_{mode}.png")


def test_narrowed_span_is_drawn_inside_the_statement(browser, engine, tmp_path):
    """A record that carries a narrowed sub-statement span (the comparison operator)."""
    problem = datasets.get("humaneval", "HumanEval/0")
    result = engine.analyze(problem, [WRONG_COMPARISON_0])[0]
    record = analysis_record(problem, WRONG_COMPARISON_0, result)
    cand, ref = result.divergence.candidate, result.divergence.reference
    c_op = (problem.prompt + WRONG_COMPARISON_0).encode().index(b">", cand.start_byte)
    r_op = problem.reference_program.encode().index(b"<", ref.start_byte)
    record["narrowed"] = {"candidate": {"start_byte": c_op, "end_byte": c_op + 1},
                          "reference": {"start_byte": r_op, "end_byte": r_op + 1}}
    page = tmp_path / "narrowed.html"
    page.write_text(candidate_page(record))
    load(browser, page)
    assert marked(browser, "cand") == "distance > threshold"
    assert browser.evaluate("Array.from(document.querySelectorAll('.cand-pane mark.hl-span mark.hl-narrowed'))"
                            ".map(e => e.textContent)") == [">"]
    assert browser.evaluate("Array.from(document.querySelectorAll('.ref-pane mark.hl-span mark.hl-narrowed'))"
                            ".map(e => e.textContent)") == ["<"]
    assert_self_contained(browser, page)
    browser.screenshot(ARTIFACTS / "view_narrowed.png", full_page=False)


def test_report_on_the_demo_shows_every_language(browser, tmp_path):
    demo = egca("demo", "--json").stdout
    records = [json.loads(line) for line in demo.splitlines() if line.strip()]
    bundled = [json.loads(line) for line in (ROOT / "egca" / "examples" / "demo.jsonl").read_text().splitlines()
               if line.strip()]
    languages = {datasets.get(d["dataset"], d["task_id"]).language for d in bundled}
    assert len(records) == len(bundled) and {r["language"] for r in records} == languages
    assert {"python", "javascript", "c"} <= languages
    (tmp_path / "analyses.jsonl").write_text(demo)
    page = tmp_path / "report.html"
    egca("report", str(tmp_path / "analyses.jsonl"), "-o", str(page))
    load(browser, page)

    rows = browser.evaluate("Array.from(document.querySelectorAll('details.cand')).map(d => "
                            "({id: d.id, mode: d.dataset.mode, language: d.dataset.language}))")
    assert len(rows) == len(records)
    assert sorted((r["language"], r["mode"]) for r in rows) == sorted((r["language"], r["mode"]) for r in records)
    problems = browser.evaluate("document.querySelectorAll('tbody.problem').length")
    assert problems == len({(r["language"], r["task_id"]) for r in records})
    # The plots: one mode bar per language plus the total; the histogram counts every candidate with a span.
    bars = browser.evaluate("Array.from(document.querySelectorAll('.mode-card svg > text')).map(t => t.textContent)")
    assert {"all", *languages} <= set(bars)
    binned = browser.evaluate("Array.from(document.querySelectorAll('.span-card rect.bin'))"
                              ".reduce((n, r) => n + +r.dataset.count, 0)")
    assert binned == sum(1 for r in records if r.get("span"))
    assert_self_contained(browser, page)
    browser.screenshot(ARTIFACTS / "report.png")

    # Every candidate expands into its view; its highlight is the record's divergent range.
    for k, record in enumerate(records):
        browser.evaluate(f"document.querySelector('#c{k} > summary').click()")
        root = f"document.querySelector('#c{k} .view-slot')"
        assert browser.evaluate(f"{root}.querySelectorAll('.cand-view').length") == 1
        div = record.get("divergence")
        program = (record.get("program") or record["prompt"] + record["completion"]).encode()
        want = program[div["candidate"]["start_byte"]:div["candidate"]["end_byte"]].decode() if div else ""
        assert marked(browser, "cand", root=root) == want, record["task_id"]
        if div and div.get("reference"):
            ref = (record["prompt"] + record["reference"]).encode()
            assert marked(browser, "ref", root=root) == ref[div["reference"]["start_byte"]:div["reference"]["end_byte"]].decode()
        assert browser.evaluate(f"{root}.querySelectorAll('.trace tr.divergent').length") == (
            1 if record.get("trace") else 0)
    browser.evaluate("document.querySelectorAll('details.cand').forEach((d, i) => d.open = [0, 12].includes(i))")
    browser.screenshot(ARTIFACTS / "report_expanded.png")

    # Filters: by mode, then by language.
    visible = "Array.from(document.querySelectorAll('details.cand')).filter(d => d.offsetParent !== null)"
    browser.evaluate("(() => { const c = document.querySelector('.filters input[data-mode=logic]'); c.click(); })()")
    shown = browser.evaluate(f"{visible}.map(d => d.dataset.mode)")
    assert "logic" not in shown and len(shown) == sum(r["mode"] != "logic" for r in records)
    assert browser.evaluate("document.querySelector('.shown-count').textContent") == str(len(shown))
    browser.evaluate("document.querySelector('.filters input[data-mode=logic]').click()")
    browser.evaluate("(() => { const s = document.querySelector('.filters select'); s.value = 'c'; "
                     "s.dispatchEvent(new Event('change', {bubbles: true})); })()")
    shown = browser.evaluate(f"{visible}.map(d => d.dataset.language)")
    assert shown == ["c"] * sum(r["language"] == "c" for r in records)
    assert browser.evaluate("Array.from(document.querySelectorAll('tbody.problem')).filter(p => p.offsetParent"
                            " !== null).map(p => p.dataset.language)") == ["c"] * len(
        {r["task_id"] for r in records if r["language"] == "c"})
    browser.screenshot(ARTIFACTS / "report_filtered_c.png")


def test_report_of_a_training_run_plots_modes_per_step(browser, engine, tmp_path):
    """Records as the trainer logs them: a tokenizer's offsets, weights, advantage and step."""
    from egca.report.record import pieces

    problem = datasets.get("humaneval", "HumanEval/0")
    group = [WRONG_COMPARISON_0, "    return False\n", "    return len(numbers) > 1 and\n"]
    lines = []
    for step in range(3):
        offsets = [pieces(c) for c in group]
        for c, a, toks in zip(group, engine.analyze(problem, group, token_offsets=offsets), offsets):
            lines.append(json.dumps(analysis_record(problem, c, a, tokens=toks, tokens_from="test split",
                                                    step=step, advantage=0.5 - a.reward)))
    (tmp_path / "train.jsonl").write_text("\n".join(lines) + "\n")
    page = tmp_path / "train.html"
    egca("report", str(tmp_path / "train.jsonl"), "-o", str(page), "--title", "training run")
    load(browser, page)
    assert browser.evaluate("document.querySelectorAll('.step-card svg rect').length") >= 3
    assert browser.evaluate("document.querySelectorAll('details.cand').length") == 9
    browser.evaluate("document.querySelector('#c0 > summary').click()")
    assert marked(browser, "cand", root="document.querySelector('#c0')") == "distance > threshold"
    info = browser.evaluate("document.querySelector('#c0 .heat').textContent")
    assert "tokens from the test split" in info
    browser.hover("#c0 .heat .tok.on")
    assert "advantage" in browser.evaluate("document.querySelector('#c0 .tok-info').textContent")
    assert_self_contained(browser, page)
    browser.screenshot(ARTIFACTS / "report_training.png")
