"""The report's data side on the real engine: the trace window, records, the
tokenisation without a tokenizer, the pages' content per mode, and `egca report`
as a user runs it. What the pages look like in a browser: test_report_browser.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from egca import datasets
from egca.report.candidate import candidate_page
from egca.report.record import analysis_record, normalise, pieces, read_records
from egca.report.runreport import report_page

WRONG_COMPARISON_0 = """    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2:
                distance = abs(elem - elem2)
                if distance > threshold:
                    return True

    return False
"""
EGCA = [sys.executable, "-m", "egca.cli"]


@pytest.fixture
def windowed(engine):
    """The session engine, asked for trace windows of 2 steps for one test."""
    engine.config.trace_window = 2
    try:
        yield engine
    finally:
        engine.config.trace_window = 0


def test_trace_window_is_off_unless_asked(engine):
    problem = datasets.get("humaneval", "HumanEval/0")
    result = engine.analyze(problem, [WRONG_COMPARISON_0])[0]
    assert result.mode == "logic" and result.trace is None
    assert "trace" not in result.to_dict()


def test_trace_window_pairs_steps_around_the_divergence(windowed):
    problem = datasets.get("humaneval", "HumanEval/0")
    result = windowed.analyze(problem, [WRONG_COMPARISON_0])[0]
    trace = result.to_dict()["trace"]
    assert [r["offset"] for r in trace["rows"]] == [-2, -1, 0, 1, 2]
    k = next(r for r in trace["rows"] if r["divergent"])
    assert k["offset"] == 0
    assert k["candidate"]["kind"] == "branch" and k["candidate"]["statement"] == "distance > threshold"
    assert k["candidate"]["outcome"] == "true" and k["candidate"]["branch_kind"] == "if"
    assert k["reference"]["statement"] == "distance < threshold" and k["reference"]["outcome"] == "false"
    assert k["candidate"]["line"] == result.divergence.candidate.start_line
    # The rows above it line up: the same steps, the same values, each side's own text.
    header = trace["rows"][1]
    assert header["candidate"]["statement"] == "if distance > threshold"
    assert header["reference"]["statement"] == "if distance < threshold"
    d = trace["rows"][0]
    assert d["candidate"]["statement"] == "distance = abs(elem - elem2)"
    assert d["candidate"]["bindings"] == d["reference"]["bindings"] == [["distance", "1"]]
    json.dumps(trace)   # plain JSON


def test_trace_window_return_divergence_finds_the_reference_return(windowed):
    # The candidate returns the wrong variable: a return divergence (the aligner names
    # no reference event; the window pairs the returns in order).
    problem = datasets.get("humaneval", "HumanEval/35")
    result = windowed.analyze(problem, ["    return l[0]\n"])[0]
    if result.mode != "logic" or result.trace is None:
        pytest.fail(f"expected a localised logic divergence: {result.to_dict()}")
    k = next(r for r in result.trace["rows"] if r["divergent"])
    assert k["candidate"]["kind"] == "return"
    assert k["reference"] is not None and k["reference"]["kind"] == "return"
    assert k["candidate"]["value"] != k["reference"]["value"]


def test_pieces_cover_the_completion_in_utf8_bytes():
    text = "    s = 'héllo'  # ünïcode\n\tx += 1\n"
    spans = pieces(text)
    data = text.encode("utf-8")
    assert spans[0][0] == 0 and spans[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    texts = [data[s:e].decode("utf-8") for s, e in spans]   # never splits a character
    assert "héllo" in texts and "ünïcode" in texts and "+=" in texts and "#" in texts
    assert pieces(text) == spans


def test_record_weights_sit_on_the_span_only(engine):
    problem = datasets.get("humaneval", "HumanEval/0")
    result = engine.analyze(problem, [WRONG_COMPARISON_0])[0]
    record = analysis_record(problem, WRONG_COMPARISON_0, result, step=3, advantage=-0.5)
    for key in ("mode", "span", "divergence", "task_id", "language", "prompt", "completion", "reference", "step",
                "advantage", "failing_test_code"):
        assert key in record
    view = normalise(json.loads(json.dumps(record)))
    assert view.tokens_from == "split"
    on = [WRONG_COMPARISON_0.encode()[s:e].decode() for (s, e), w in zip(view.tokens, view.weights) if w > 0]
    assert "".join(on) == "distance > threshold"
    assert abs(sum(view.weights) - 1.0) < 1e-9
    assert view.span_text() == "distance > threshold"


def test_read_records_accepts_json_lines_and_concatenated_objects():
    a, b = {"mode": "correct", "task_id": "x"}, {"mode": "logic", "task_id": "y"}
    assert list(read_records(json.dumps(a) + "\n\n" + json.dumps(b) + "\n")) == [a, b]
    assert list(read_records(json.dumps(a, indent=2) + json.dumps(b, indent=2))) == [a, b]
    with pytest.raises(ValueError, match="line 2"):
        list(read_records(json.dumps(a) + "\n{oops\n"))


def _python_demo_rows():
    from egca.demo import examples

    return [r for r in examples() if r["dataset"] == "humaneval"]


def test_pages_say_what_each_mode_means(engine):
    rows = {r["expected_mode"]: r for r in _python_demo_rows()}
    pages = {}
    for mode in ("syntax", "constraint", "correct", "logic"):
        row = rows[mode]
        problem = datasets.get(row["dataset"], row["task_id"])
        result = engine.analyze(problem, [row["completion"]])[0]
        assert result.mode == mode
        pages[mode] = candidate_page(analysis_record(problem, row["completion"], result))
    assert 'class="hl-span"' not in pages["correct"] and "Passes all" in pages["correct"]
    assert 'class="hl-span"' not in pages["constraint"] and "never reads its parameters" in pages["constraint"]
    assert "uniform: every token gets" in pages["constraint"]
    assert pages["syntax"].count('class="hl-span"') == 1   # the candidate only: no reference counterpart
    assert 'class="hl-span"' in pages["logic"] and "Failing test" in pages["logic"]
    for page in pages.values():
        assert "http://" not in page and "https://" not in page   # nothing fetched at view time


def test_report_page_counts_modes_and_lists_every_candidate(engine):
    records = []
    for row in _python_demo_rows():
        problem = datasets.get(row["dataset"], row["task_id"])
        result = engine.analyze(problem, [row["completion"]])[0]
        records.append(analysis_record(problem, row["completion"], result, note=row["note"]))
    page = report_page(records)
    assert page.count('<details class="cand"') == len(records)
    assert page.count("<template id=") == len(records)
    logic = sum(r["mode"] == "logic" for r in records)
    assert f"logic {logic} ({100 * logic / len(records):.0f}%)" in page
    # Only the latest views are embedded when asked.
    assert report_page(records, views=2).count("<template id=") == 2


def _egca(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*EGCA, *args], capture_output=True, text=True, timeout=300, input=stdin,
                          env={**os.environ, "GRPC_VERBOSITY": "ERROR"})


def test_analyze_json_adds_the_record_keys_and_report_reads_it(tmp_path):
    f = tmp_path / "F.py"
    f.write_text(WRONG_COMPARISON_0)
    r = _egca("analyze", "--dataset", "humaneval", "--task", "HumanEval/0", "--candidate", str(f), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["task_id"] == "HumanEval/0" and out["language"] == "python" and out["completion"] == WRONG_COMPARISON_0
    assert "trace" not in out and "token_weights" not in out   # nothing new unless --html asks
    (tmp_path / "a.json").write_text(r.stdout + r.stdout)   # two pretty-printed objects, appended
    r2 = _egca("report", str(tmp_path / "a.json"), "-o", str(tmp_path / "r.html"))
    assert r2.returncode == 0, r2.stderr
    assert (tmp_path / "r.html").read_text().count('<details class="cand"') == 2


def test_report_bad_input_is_a_one_line_error(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"mode": "logic"}\nnot json\n')
    r = _egca("report", str(tmp_path / "bad.jsonl"), "-o", str(tmp_path / "r.html"))
    assert r.returncode == 2 and "line 2" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = _egca("report", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 2 and "cannot read" in r.stderr
    r = _egca("report", "-", "-o", str(tmp_path / "r.html"), stdin="\n")
    assert r.returncode == 2 and "no analysis records" in r.stderr
