'use strict';
// The sandboxed, untrusted half of the JavaScript runtime: loads the program and either
// serves the trusted harness's calls (Run) or traces one test (Trace). Nothing here
// decides a Run's verdict.
//
// The first line on stdin is the job:
//   {"mode": "serve" | "trace", "program", "deadline_s", "seed", "now",
//    serve: "stmts" (statement table for error locations), "names" (top-level declarations);
//    trace: "tests": [{"id", "code"}], "fns", "points", "max_events"}
// It writes the kit's child protocol (egca_kit.protocol) on fd 3. In "trace" mode fd 3 is
// the server's channel: control messages and trace events. In "serve" mode fd 3 goes to
// the trusted harness (harness.js), never to the server: {"t": "loaded", "names"} |
// {"t": "compile_error"} | {"t": "load_error"}, then one reply per call line read from
// stdin ({"t": "call", "name", "args", "new"} or {"t": "get", "name"}):
// {"t": "ret", "value", "args"} or {"t": "exc", "s", "kind", "msg", "loc", "type"}.

const fs = require('fs');
const vm = require('vm');
const { performance } = require('perf_hooks');
const { makeValues } = require('./values');
const { createTracer } = require('./trace_runtime');

// Bound before the program runs: a program that patches globals cannot break these.
const V = makeValues();
const writeSync = fs.writeSync, readSync = fs.readSync;
const realExit = process.reallyExit.bind(process);
const clock = performance.now.bind(performance);
const started = clock();
const stringify = JSON.stringify, parseJSON = JSON.parse;
const fromUtf8 = (buf, a, b) => buf.toString('utf8', a, b);
const defineProperty = Object.defineProperty, ownKeys = Object.getOwnPropertyNames;
const Reflect_ = { apply: Reflect.apply, construct: Reflect.construct };

const CHANNEL = 3;
const PROGRAM_FILE = '/egca/program.js';
const TEST_FILE = '/egca/test.js';
const FLUSH_BYTES = 64 * 1024;
const TIMEOUT_CODE = 'ERR_SCRIPT_EXECUTION_TIMEOUT';

// --- the channel (buffered: a trace writes many small lines) ---------------------------------
let buffer = [];
let buffered = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd, data) {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function flush() {
  if (!buffered) return;
  const data = Buffer.from(buffer.join(''), 'utf8');
  buffer = [];
  buffered = 0;
  writeAll(CHANNEL, data);
}

function emit(line) {
  buffer.push(line + '\n');
  buffered += line.length + 1;
  if (buffered >= FLUSH_BYTES) flush();
}

function send(obj) {
  emit(stringify(obj));
  flush();
}

// --- stdin, read synchronously by lines ---------------------------------------------------------
const inBuf = Buffer.alloc(1 << 16);
let pendingIn = Buffer.alloc(0);

function readLine() {
  for (;;) {
    const nl = pendingIn.indexOf(10);
    if (nl >= 0) {
      const line = fromUtf8(pendingIn, 0, nl);
      pendingIn = pendingIn.subarray(nl + 1);
      return line;
    }
    let n;
    try {
      n = readSync(0, inBuf, 0, inBuf.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; }
      if (e.code === 'EOF') n = 0; else throw e;
    }
    if (n === 0) {
      if (!pendingIn.length) return null;
      const line = fromUtf8(pendingIn, 0, pendingIn.length);
      pendingIn = Buffer.alloc(0);
      return line;
    }
    pendingIn = Buffer.concat([pendingIn, inBuf.subarray(0, n)]);
  }
}

// --- what the program may not do (the sandbox is the real containment) --------------------------
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

// --- where an exception comes from ---------------------------------------------------------------
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
    if (e instanceof Error || (e !== null && typeof e === 'object' && typeof e.name === 'string')) {
      return String(e.name || 'Error');
    }
  } catch (err) { /* fall through */ }
  return 'Error';
}

const isTimeout = (e) => e !== null && typeof e === 'object' && e.code === TIMEOUT_CODE && e instanceof Error;

// UTF-16 offset of a 1-based line and 1-based column of `source`.
function offsetOf(source, line, col) {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = source.indexOf('\n', at);
    if (nl < 0) break;
    at = nl + 1;
  }
  return Math.min(at + Math.max(0, col - 1), source.length);
}

// The statement (index into the server's range table) an error at UTF-16 `at` lies in:
// the smallest containing one, cut to its header when `at` is before its body.
function statementAt(stmts, at) {
  let best = null;
  for (const s of stmts) {
    if (s[0] > at || s[1] < at) continue;
    if (!best || s[1] - s[0] <= best[1] - best[0]) best = s;
  }
  if (!best) return null;
  return best[2] >= 0 && at < best[2] && best[4] !== null ? best[4] : best[3];
}

// An explicit RANGE of the character at UTF-16 `at` (and the rest of its line).
function charRange(source, at) {
  const byte = (i) => Buffer.byteLength(source.slice(0, i), 'utf8');
  const lineStart = source.lastIndexOf('\n', at - 1) + 1;
  let lineEnd = source.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = source.length;
  const line = source.slice(0, at).split('\n').length;
  const end = Math.max(at + 1, lineEnd);
  return [byte(at), byte(end), line, line, byte(at) - byte(lineStart), byte(end) - byte(lineStart)];
}

// A SyntaxError V8 found: "<file>:<line>\n<source line>\n<spaces>^^^".
function syntaxError(e, source) {
  const out = { t: 'compile_error', kind: errorKind(e), msg: V.describeError(e), loc: null };
  const lines = typeof e.stack === 'string' ? e.stack.split('\n') : [];
  const m = /:(\d+)$/.exec(lines[0] || '');
  if (m) {
    const caret = (lines[2] || '').indexOf('^');
    out.loc = charRange(source, offsetOf(source, Number(m[1]), caret >= 0 ? caret + 1 : 1));
  }
  return out;
}

// --- Run: serve the harness's calls ---------------------------------------------------------------
function serve(job) {
  const source = job.program;
  const stmts = job.stmts || [];
  let script;
  try {
    script = new vm.Script(source, { filename: PROGRAM_FILE });
  } catch (e) {
    send(syntaxError(e, source));
    return;
  }
  send({ t: 'program' });
  const where = (e) => {
    const f = innermostFrame(e);
    return f && f.file === 'program' ? statementAt(stmts, offsetOf(source, f.line, f.col)) : null;
  };
  const failure = (e) => ({ t: 'exc', s: 'ERROR', kind: errorKind(e), msg: V.describeError(e).slice(0, 4000),
    loc: where(e), type: errorKind(e) });
  const accessors = new Map();
  const lookup = (name) => {
    let get = accessors.get(name);
    if (!get) {
      if (!/^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name)) throw new ReferenceError(`${name} is not defined`);
      get = vm.runInThisContext(`(function () { return ${name}; })`);
      accessors.set(name, get);
    }
    return get();
  };
  harden();
  const before = new Set(ownKeys(globalThis));
  const seed = job.seed | 0, now = Number(job.now) || 0;
  let state = 'load';
  let id = '';
  let current = null;       // the call being answered, ready to run again (see stuckLine)

  function loop() {
    V.determinism(globalThis, seed, now);
    try {
      script.runInThisContext();
    } catch (e) {
      send(Object.assign(failure(e), { t: 'load_error' }));
      return;
    }
    const names = {};
    for (const name of [...(job.names || []), ...ownKeys(globalThis).filter((k) => !before.has(k))]) {
      try {
        names[name] = typeof lookup(name) === 'function' ? 'callable' : 'value';
      } catch (e) { /* declared but never initialised */ }
    }
    send({ t: 'loaded', names });
    for (;;) {
      state = 'idle';
      const line = readLine();
      if (line === null) return;
      const msg = parseJSON(line);
      id = String(msg.id);
      state = 'call';
      let reply;
      try {
        const fn = lookup(String(msg.name));
        if (msg.t === 'get') {
          reply = `{"t":"ret","id":${stringify(id)},"value":${V.encodeExact(fn)}}`;
        } else {
          const args = (msg.args || []).map((a) => V.decode(a));
          current = { name: String(msg.name), args: msg.args || [], isNew: !!msg.new };
          V.determinism(globalThis, seed, now);
          let value = msg.new ? Reflect_.construct(fn, args) : Reflect_.apply(fn, undefined, args);
          if (Object.prototype.toString.call(value) === '[object Generator]') value = [...value];
          reply = `{"t":"ret","id":${stringify(id)},"value":${V.encodeExact(value)},"args":[${args.map((a) => V.encodeExact(a)).join(',')}]}`;
        }
      } catch (e) {
        if (isTimeout(e)) throw e;
        reply = failure(e);
        reply.id = id;
      }
      emit(typeof reply === 'string' ? reply : stringify(reply));
      flush();
    }
  }

  try {
    timed(loop, job);
  } catch (e) {
    if (!isTimeout(e)) throw e;
    buffer = [];
    buffered = 0;
    let loc = null;
    if (state === 'load' || (state === 'call' && current)) {
      const line = stuckLine(source, state === 'load' ? null : current, seed, now);
      if (line) loc = statementAt(stmts, offsetOf(source, line, 1 + /^\s*/.exec(source.split('\n')[line - 1] || '')[0].length));
    }
    const out = { s: 'TIMEOUT', kind: 'Timeout', msg: 'the time limit ran out' + (state === 'load' ? ' while the program loaded' : ''), loc };
    send(Object.assign(out, { t: state === 'load' ? 'load_error' : 'exc', id }));
  }
}

// Where a call (or the program's loading) that ran out of time was stuck: V8's watchdog
// leaves no stack, so in the time the sandbox gives beyond the deadline the program is
// loaded once more in a fresh context and the call made again (the same inputs, the same
// seed) for a moment under V8's sampling profiler: the program's line with most samples.
// (Fresh code: samples of code the first run optimised are credited to its caller.)
const STUCK_SAMPLE_MS = 150;
function stuckLine(source, call, seed, now) {
  let profile = null;
  try {
    const ctx = vm.createContext({ require: sandboxRequire, console, process, Buffer, module: { exports: {} } });
    const G = vm.runInContext('globalThis', ctx);
    V.determinism(G, seed, now);
    const again = () => {
      new vm.Script(source, { filename: PROGRAM_FILE }).runInContext(ctx);
      if (!call) return;
      const fn = vm.runInContext(`(function () { return ${call.name}; })`, ctx)();
      const args = call.args.map((a) => V.decode(a));
      V.determinism(G, seed, now);
      if (call.isNew) Reflect_.construct(fn, args); else Reflect_.apply(fn, undefined, args);
    };
    const session = new (require('inspector').Session)();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 200 });
    session.post('Profiler.start');
    try {
      defineProperty(globalThis, Symbol.for('egca.timed'), { value: again, configurable: true });
      TIMED.runInThisContext({ timeout: STUCK_SAMPLE_MS });
    } catch (e) { /* stopped, or it failed this time: the samples say where it was */ }
    session.post('Profiler.stop', (err, res) => { if (!err) profile = res.profile; });
    session.disconnect();
  } catch (e) {
    return null;
  }
  let best = null;
  for (const node of (profile && profile.nodes) || []) {
    if (node.callFrame.url !== 'file://' + PROGRAM_FILE || !node.positionTicks) continue;
    for (const t of node.positionTicks) if (!best || t.ticks > best.ticks) best = t;
  }
  return best ? best.line : null;
}

// Run `fn` with V8's watchdog on the rest of the job's time: it stops the program wherever it is.
const TIMED = new vm.Script('globalThis[Symbol.for("egca.timed")]()', { filename: 'egca-timed' });
function timed(fn, job) {
  const left = Math.max(1, Math.floor(Number(job.deadline_s || 10) * 1000 - (clock() - started)));
  defineProperty(globalThis, Symbol.for('egca.timed'), { value: fn, configurable: true });
  return TIMED.runInThisContext({ timeout: left });
}

// --- Trace: run the test here, instrumented ------------------------------------------------------------
function trace(job) {
  const tests = [];
  for (let i = 0; i < job.tests.length; i++) {
    try {
      // A block keeps a test's declarations apart; program bindings stay visible.
      tests.push(new vm.Script('{\n' + job.tests[i].code + '\n}', { filename: TEST_FILE, lineOffset: -1 }));
    } catch (e) {
      send({ t: 'bad_test', i, msg: `test ${stringify(job.tests[i].id)} does not compile: ${V.describeError(e)}` });
      return;
    }
  }
  let script;
  try {
    script = new vm.Script(job.program, { filename: PROGRAM_FILE });
  } catch (e) {
    send({ t: 'compile_error', kind: errorKind(e), msg: V.describeError(e), loc: null });
    send({ t: 'done' });
    return;
  }
  send({ t: 'program' });
  const tracer = createTracer({ fns: job.fns, points: job.points, maxEvents: job.max_events || 20000, emit,
    encode: V.encodeTrace, describeError: V.describeError });
  defineProperty(globalThis, '__egca$t', { value: tracer, writable: false, configurable: false, enumerable: false });
  harden();
  const seed = job.seed | 0, now = Number(job.now) || 0;
  const outcome = (e) => {
    const f = innermostFrame(e);
    return { s: f && f.file === 'test' ? 'FAIL' : 'ERROR', kind: errorKind(e), msg: V.describeError(e).slice(0, 4000) };
  };
  let state = -1;
  let t0 = 0;

  function loop() {
    V.determinism(globalThis, seed, now);
    try {
      script.runInThisContext();
    } catch (e) {
      flush();
      const o = outcome(e);
      for (let i = 0; i < tests.length; i++) {
        send(Object.assign({ t: 'result', i, wall: 0, program_level: true }, o, { s: 'ERROR' }));
      }
      return;
    }
    for (let i = 0; i < tests.length; i++) {
      state = i;
      send({ t: 'start', i });
      t0 = clock();
      let res;
      try {
        V.determinism(globalThis, seed, now);
        tests[i].runInThisContext();
        res = { s: 'PASS' };
      } catch (e) {
        if (isTimeout(e)) throw e;
        res = outcome(e);
      }
      flush();
      send(Object.assign(res, { t: 'result', i, wall: (clock() - t0) / 1000, truncated: tracer.truncated }));
    }
    send({ t: 'done' });
  }

  try {
    timed(loop, job);
  } catch (e) {
    if (!isTimeout(e)) throw e;
    flush();
    send({ t: 'result', i: Math.max(0, state), s: 'TIMEOUT', kind: 'Timeout', msg: 'Timeout: the time limit ran out',
      loc: tracer.where, wall: state >= 0 ? (clock() - t0) / 1000 : 0, truncated: tracer.truncated });
  }
}

// --- program tests (whole programs, stdin/stdout) --------------------------------------------------
// stdin: the job's length on a line, the job, then the test's input, which the program reads
// from fd 0 as usual (readFileSync(0), process.stdin, readline). The program runs as a CommonJS
// module with the event loop alive; its stdout is judged by the server (egca_kit.programs).
// An uncaught error is described on fd 3 ({"t": "result", "s": "ERROR", "loc"}) and the process
// exits 1. Trace ("program_test"): the instrumented program, its top level as "<module>".
function readFramedJob() {
  const one = Buffer.alloc(1);
  let head = '';
  for (;;) {
    let n;
    try {
      n = readSync(0, one, 0, 1, null);
    } catch (e) {
      if (e.code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; }
      throw e;
    }
    if (n === 0 || one[0] === 10) break;
    head += String.fromCharCode(one[0]);
    if (head === '{') return parseJSON(head + (readLine() || ''));    // a plain JSON line (function tests)
  }
  const data = Buffer.alloc(Number(head));
  let off = 0;
  while (off < data.length) {
    let n;
    try {
      n = readSync(0, data, off, data.length - off, null);
    } catch (e) {
      if (e.code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; }
      throw e;
    }
    if (n === 0) break;
    off += n;
  }
  return parseJSON(fromUtf8(data, 0, off));
}

const MODULE_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

function runProgram(job, traced) {
  const source = job.program;
  let fn;
  try {
    fn = vm.compileFunction(source, MODULE_PARAMS, { filename: PROGRAM_FILE });
  } catch (e) {
    send(traced ? { t: 'compile_error', kind: errorKind(e), msg: V.describeError(e), loc: null }
      : syntaxError(e, source));
    if (traced) send({ t: 'done' });
    realExit(1);
  }
  const stmts = job.stmts || [];
  let tracer = null;
  if (traced) {
    tracer = createTracer({ fns: job.fns, points: job.points, maxEvents: job.max_events || 20000, emit,
      encode: V.encodeTrace, describeError: V.describeError });
    defineProperty(globalThis, '__egca$t', { value: tracer, writable: false, configurable: false, enumerable: false });
    send({ t: 'start', i: 0 });
  } else {
    send({ t: 'program' });
  }
  const t0 = clock();
  let ended = false;
  const finish = (res, code) => {
    if (ended) return;
    ended = true;
    try {
      flush();
      if (traced) res.truncated = tracer.truncated;
      if (traced || res.s !== 'PASS') send(Object.assign({ t: 'result', i: 0, wall: (clock() - t0) / 1000 }, res));
      if (traced) send({ t: 'done' });
    } catch (err) { /* the channel is gone */ }
    realExit(code);
  };
  const failed = (e) => {
    if (isTimeout(e)) {
      return { s: 'TIMEOUT', kind: 'Timeout', msg: 'Timeout: the time limit ran out', loc: traced ? tracer.where : null };
    }
    const f = innermostFrame(e);
    const loc = !traced && f && f.file === 'program' ? statementAt(stmts, offsetOf(source, f.line, f.col)) : null;
    return { s: 'ERROR', kind: errorKind(e), msg: V.describeError(e).slice(0, 4000), loc };
  };
  process.on('uncaughtException', (e) => {
    try { process.stderr.write(String(e && e.stack ? e.stack : e) + '\n'); } catch (err) { /* closed */ }
    finish(failed(e), 1);
  });
  process.on('exit', (code) => finish(code ? { s: 'ERROR', kind: 'Exit', msg: `the program exited with status ${code}` }
    : { s: 'PASS' }, code));
  const module = { exports: {} };
  V.determinism(globalThis, job.seed | 0, Number(job.now) || 0);
  try {
    // The top level under V8's watchdog (most programs read stdin synchronously and finish here).
    timed(() => fn.call(module.exports, module.exports, sandboxRequire, module, PROGRAM_FILE, '/egca'), job);
  } catch (e) {
    finish(failed(e), 1);
  }
  // Callbacks (process.stdin, readline) run on the event loop; the sandbox's clock bounds them.
}

function main() {
  const job = readFramedJob();
  send({ t: 'ready' });
  if (job.mode === 'program') { runProgram(job, false); return true; }
  if (job.program_test) { runProgram(job, true); return true; }
  if (job.mode === 'serve') serve(job);
  else trace(job);
  return false;
}

let keepAlive = false;
try {
  keepAlive = main();
} catch (e) {
  try {
    flush();
    send({ t: 'internal', msg: V.describeError(e) });
  } catch (err) { /* the channel is gone */ }
  realExit(70);
}
if (!keepAlive) {
  try { flush(); } catch (e) { /* the channel is gone */ }
  realExit(0);
}
