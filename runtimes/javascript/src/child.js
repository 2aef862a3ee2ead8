'use strict';
// Runs inside the sandbox (never in the server process). Reads one job as JSON
// on stdin, runs the program and its tests, and reports through fd 3 as JSON
// lines, each prefixed with the job's token so that a program writing to fd 3
// cannot forge results.
//
// Job: {mode: "run"|"trace", token, program, tests: [{id, code}], timeoutMs,
//       maxEvents, stepNames, fnParams}
// Lines: {t:"hello"} {t:"compile", msg, kind, line, col} {t:"load", st, msg, kind, file, line, col}
//        {t:"start", i} {t:"res", i, st, msg, kind, file, line, col, wall} {t:"done", events, truncated}
//        and, in trace mode, event arrays (see trace_runtime.js) before each result.

const fs = require('fs');
const vm = require('vm');
const { performance } = require('perf_hooks');
const { createTracer, describeError } = require('./trace_runtime');

const PROGRAM_FILE = '/egca/program.js';
const TEST_FILE = '/egca/test.js';
const OUT_FD = 3;
const FLUSH_BYTES = 64 * 1024;

const writeSync = fs.writeSync;
const realExit = process.reallyExit.bind(process);
const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const prefix = job.token + ' ';

let buffer = [];
let buffered = 0;

function flush() {
  if (!buffer.length) return;
  const data = Buffer.from(buffer.join(''), 'utf8');
  buffer = [];
  buffered = 0;
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(OUT_FD, data, off, data.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);   // pipe full: let the server read
    }
  }
}

function emit(line) {
  const s = prefix + line + '\n';
  buffer.push(s);
  buffered += s.length;
  if (buffered >= FLUSH_BYTES) flush();
}

function send(obj) { emit(JSON.stringify(obj)); }

// --- what the program may not do (the sandbox is the real containment) ----------
function deny(what) {
  return function denied() { throw new Error(what + ' is not allowed in the sandbox'); };
}
const DENIED_MODULES = new Set(['child_process', 'cluster', 'worker_threads', 'net', 'tls', 'http', 'https', 'http2',
  'dgram', 'dns', 'inspector', 'repl', 'vm', 'v8', 'module', 'trace_events', 'wasi']);
const realRequire = require;
function sandboxRequire(name) {
  const bare = String(name).replace(/^node:/, '');
  if (DENIED_MODULES.has(bare) || bare.startsWith('.') || bare.startsWith('/')) {
    throw new Error(`require('${bare}') is not allowed in the sandbox`);
  }
  return realRequire(bare);
}

function harden() {
  for (const fn of ['exit', 'abort', 'reallyExit', 'kill', 'dlopen', 'binding', '_linkedBinding', 'chdir', 'setuid',
    'setgid', 'setgroups']) {
    if (typeof process[fn] === 'function') process[fn] = deny('process.' + fn);
  }
  globalThis.fetch = deny('network access (fetch)');
  globalThis.require = sandboxRequire;
  globalThis.module = { exports: {} };
  globalThis.exports = globalThis.module.exports;
}

// --- outcome of an exception: where it was thrown decides ERROR vs FAIL ------------
function innermostFrame(e) {
  let stack;
  try {
    stack = e !== null && (typeof e === 'object' || typeof e === 'function') ? e.stack : undefined;
  } catch (err) {
    stack = undefined;
  }
  if (typeof stack !== 'string') return null;
  for (const line of stack.split('\n')) {
    if (!/^\s+at /.test(line)) continue;
    const m = /\/egca\/(program|test)\.js:(\d+):(\d+)\)?\s*$/.exec(line);
    if (m) return { file: m[1], line: Number(m[2]), col: Number(m[3]) };
  }
  return null;
}

function errorKind(e) {
  try {
    if (e instanceof Error) return String(e.name || 'Error');
  } catch (err) { /* fall through */ }
  return 'Error';
}

function outcome(e) {
  if (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
    return { st: 'TIMEOUT', kind: 'Timeout', msg: 'Timeout: the run exceeded its time limit' };
  }
  const frame = innermostFrame(e);
  const res = { st: frame && frame.file === 'test' ? 'FAIL' : 'ERROR', kind: errorKind(e), msg: describeError(e) };
  if (frame) Object.assign(res, frame);
  return res;
}

// SyntaxErrors V8 finds that Babel did not: "<file>:<line>\n<source line>\n<spaces>^^^".
function syntaxLocation(e) {
  const lines = typeof e.stack === 'string' ? e.stack.split('\n') : [];
  const m = /:(\d+)$/.exec(lines[0] || '');
  if (!m) return {};
  const caret = (lines[2] || '').indexOf('^');
  return { line: Number(m[1]), col: caret >= 0 ? caret + 1 : 1 };
}

// --- the run --------------------------------------------------------------------
function main() {
  send({ t: 'hello' });
  const started = performance.now();
  const remaining = () => Math.max(1, Math.floor(job.timeoutMs - (performance.now() - started)));
  let tracer = null;
  if (job.mode === 'trace') {
    tracer = createTracer({ stepNames: job.stepNames, fnParams: job.fnParams, maxEvents: job.maxEvents, emit });
    Object.defineProperty(globalThis, '__egca$t', { value: tracer, writable: false, configurable: false, enumerable: false });
  }
  let script;
  try {
    script = new vm.Script(job.program, { filename: PROGRAM_FILE });
  } catch (e) {
    send(Object.assign({ t: 'compile', kind: errorKind(e), msg: describeError(e) }, syntaxLocation(e)));
    return;
  }
  harden();
  try {
    script.runInThisContext({ timeout: remaining() });
  } catch (e) {
    flush();
    send(Object.assign({ t: 'load' }, outcome(e)));
    return;
  }
  for (let i = 0; i < job.tests.length; i++) {
    send({ t: 'start', i });
    flush();
    const t0 = performance.now();
    let res;
    try {
      // A block keeps each test's declarations apart; program bindings stay visible.
      vm.runInThisContext('{\n' + job.tests[i].code + '\n}', { filename: TEST_FILE, timeout: remaining() });
      res = { st: 'PASS' };
    } catch (e) {
      res = outcome(e);
    }
    res.t = 'res';
    res.i = i;
    res.wall = (performance.now() - t0) / 1000;
    send(res);
    flush();
    if (res.st === 'TIMEOUT') return;
  }
  send({ t: 'done', events: tracer ? tracer.count : 0, truncated: tracer ? tracer.truncated : false });
}

try {
  main();
} finally {
  flush();
  realExit(0);
}
