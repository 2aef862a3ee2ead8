"""See the credit: HTML views of what the engine blamed.

- `record.py`: the JSON record of one analysed candidate (what `egca analyze --json`,
  `egca demo --json` and the trainer write, one per line);
- `candidate.py`: one candidate's page (`egca analyze --html`);
- `runreport.py`: a page over many records (`egca report`);
- `window.py`: the aligned trace steps around a divergence (`EngineConfig.trace_window`);
- `browser.py`: headless Chromium over the DevTools protocol (the report's browser tests).

Nothing here is imported on the engine's hot path unless a trace window is asked for.
"""
