'use strict';
// The trusted Babel helper the Python server keeps running (egca_runtime_javascript.babel):
// it parses and transforms program text and never runs it. Loading Babel costs ~0.4 s,
// which a sandboxed child would pay on every Trace; here it is paid once.
//
// stdin: one JSON request a line, {"id", "op": "check" | "instrument", "source"};
// stdout: one JSON reply a line, {"id", "ok": result} or {"id", "error": {kind, msg, loc}}.

const readline = require('readline');
const { instrument, check, CompileError } = require('./instrument');

const OPS = { check, instrument, instrument_program: (source) => instrument(source, true) };
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

readline.createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    out({ id: null, error: { kind: 'Internal', msg: 'bad request line' } });
    return;
  }
  const op = OPS[req.op];
  if (!op || typeof req.source !== 'string') {
    out({ id: req.id, error: { kind: 'Internal', msg: `bad request: ${req.op}` } });
    return;
  }
  try {
    out({ id: req.id, ok: op(req.source) });
  } catch (e) {
    if (e instanceof CompileError) out({ id: req.id, error: { kind: e.kind, msg: e.message, loc: e.location } });
    // A program nested too deeply for the parser: it cannot be compiled (V8 would refuse it too).
    else if (e instanceof RangeError) out({ id: req.id, error: { kind: 'SyntaxError', msg: `SyntaxError: ${e.message}` } });
    else out({ id: req.id, error: { kind: 'Internal', msg: String(e && e.stack ? e.stack : e) } });
  }
}).on('close', () => process.exit(0));
