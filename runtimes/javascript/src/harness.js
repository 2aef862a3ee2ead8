'use strict';
// The trusted half of the JavaScript runtime's Run: runs the test code and decides every
// verdict, in a process the candidate cannot reach (egca_kit.sandbox: same sandbox,
// another uid; fd 3 = the server's channel, fd 4 = calls to the candidate, fd 5 = its
// replies). stdin holds the job: {"program", "tests": [{"id", "code"}], "stmts", "names",
// "deadline_s", "candidate_deadline_s", "seed", "now"}.
//
// The candidate (child.js, "serve" mode) never sees a test's code or an expected value.
// Each test runs in a fresh vm context of its own; every global name the program defines
// (it reports them after loading) that is not a builtin becomes there a proxy that ships
// the call's arguments to the candidate (compact VALUE encoding) and returns the reply
// decoded into plain data of the test's realm: arrays, plain objects, Map, Set, typed
// arrays, numbers (-0, NaN, Infinity), strings, booleans, null, undefined, BigInt, or an
// inert Opaque. No method, getter, valueOf, toJSON or Proxy of the program ever runs
// here. Arguments the call mutated are copied back. A candidate that exits, dies, lies or
// stops answering fails the test it was in, and the tests after it are not run.

const crypto = require('crypto');
const fs = require('fs');
const vm = require('vm');
const { performance } = require('perf_hooks');
const { makeValues } = require('./values');

const CHANNEL = 3, CALLS = 4, REPLIES = 5;
const MAX_REPLY_BYTES = 256 << 20;
const TEST_FILE = '/egca/test.js';
const TIMEOUT_CODE = 'ERR_SCRIPT_EXECUTION_TIMEOUT';
// Globals of Node (not of a vm context) a program may shadow: never proxied either.
const NODE_GLOBALS = ['require', 'module', 'exports', 'process', 'Buffer', 'global', 'setTimeout', 'setInterval',
  'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'fetch',
  'console', 'performance', 'navigator', 'crypto', '__egca$t'];
const ERROR_TYPES = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError',
  'URIError']);

const V = makeValues();
const clock = performance.now.bind(performance);
const started = clock();
const pause = new Int32Array(new SharedArrayBuffer(4));
// The realm-agnostic values code, to be made again inside each test's context.
const VALUES_SCRIPT = new vm.Script('(' + makeValues.toString() + ')', { filename: 'egca-values' });

function writeAll(fd, data) {
  let off = 0;
  while (off < data.length) {
    try {
      off += fs.writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function emit(obj) {
  writeAll(CHANNEL, Buffer.from(JSON.stringify(obj) + '\n', 'utf8'));
}

// --- the candidate -------------------------------------------------------------------------------
class Gone {
  constructor(s, kind, msg, loc = null) { Object.assign(this, { s, kind, msg, loc, exited: true }); }
}

const candidate = {
  gone: null,
  buf: Buffer.alloc(0),
  chunk: Buffer.alloc(1 << 20),

  lose(s, kind, msg, loc) {
    this.gone = new Gone(s, kind, msg, loc);
    return this.gone;
  },

  send(text) {
    try {
      writeAll(CALLS, Buffer.from(text + '\n', 'utf8'));
    } catch (e) {
      throw this.lose('ERROR', 'Exit', 'the program ended its process');
    }
  },

  // Each call carries an unguessable id its reply must echo: a line the program wrote
  // itself onto the replies is a protocol violation, never an answer.
  nextId() { return crypto.randomBytes(12).toString('hex'); },

  // One reply line; blocks (the sandbox's wall clock bounds a candidate that never answers).
  receive(id) {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        const line = this.buf.toString('utf8', 0, nl);
        this.buf = this.buf.subarray(nl + 1);
        let reply = null;
        try { reply = JSON.parse(line); } catch (e) { /* below */ }
        if (reply === null || typeof reply !== 'object' || Array.isArray(reply) || (id !== undefined && reply.id !== id)) {
          throw this.lose('ERROR', 'Protocol', 'the program wrote over the runtime\'s channel');
        }
        return reply;
      }
      let n;
      try {
        n = fs.readSync(REPLIES, this.chunk, 0, this.chunk.length, null);
      } catch (e) {
        if (e.code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; }
        n = 0;
      }
      if (n === 0) throw this.lose('ERROR', 'Exit', 'the program ended its process');
      this.buf = Buffer.concat([this.buf, this.chunk.subarray(0, n)]);
      if (this.buf.length > MAX_REPLY_BYTES) throw this.lose('ERROR', 'OutputLimit', 'the program\'s answer is too large');
    }
  },
};

const locOf = (reply) => {
  const loc = reply.loc;
  return Number.isInteger(loc) && loc >= 0 && loc < (job.stmtRanges || 0) ? loc : null;
};

// --- one test --------------------------------------------------------------------------------------
let job;
let builtins = null;
const raised = new WeakMap();   // errors thrown into test code for the candidate -> their result

function testContext(names, entryPoints) {
  const ctx = vm.createContext({});
  const G = vm.runInContext('globalThis', ctx);
  if (builtins === null) builtins = new Set([...Object.getOwnPropertyNames(G), ...NODE_GLOBALS]);
  const RV = VALUES_SCRIPT.runInContext(ctx)();
  Object.defineProperty(G, 'console', { value: console, writable: true, configurable: true });

  const realmError = (type, msg) => new (ERROR_TYPES.has(type) && typeof G[type] === 'function' ? G[type] : G.Error)(msg);
  const lost = (gone) => realmError('Error', gone.msg);

  function call(name, args, isNew) {
    if (candidate.gone) throw lost(candidate.gone);
    let reply;
    try {
      const wire = args.map((a) => RV.encodeExact(a));
      const id = candidate.nextId();
      candidate.send(`{"t":"call","id":"${id}","name":${JSON.stringify(name)},"new":${isNew},"args":[${wire.join(',')}]}`);
      reply = candidate.receive(id);
    } catch (e) {
      if (e instanceof Gone) throw lost(e);
      throw e;
    }
    if (reply.t === 'ret') {
      if (Array.isArray(reply.args) && reply.args.length === args.length) {
        for (let i = 0; i < args.length; i++) RV.copyBack(args[i], RV.decode(reply.args[i]));
      }
      return RV.decode(reply.value);
    }
    if (reply.t === 'exc') {
      const msg = String(reply.msg || '').slice(0, 4000);
      if (reply.s === 'TIMEOUT') throw lost(candidate.lose('TIMEOUT', String(reply.kind || 'Timeout'), msg, locOf(reply)));
      const e = realmError(String(reply.type || ''), msg.replace(/^[A-Za-z]*Error: /, ''));
      raised.set(e, { s: 'ERROR', kind: String(reply.kind || 'Error'), msg, loc: locOf(reply) });
      throw e;
    }
    throw lost(candidate.lose('ERROR', 'Protocol', 'the program wrote over the runtime\'s channel'));
  }

  function value(name) {
    if (candidate.gone) throw lost(candidate.gone);
    let reply;
    try {
      const id = candidate.nextId();
      candidate.send(JSON.stringify({ t: 'get', id, name }));
      reply = candidate.receive(id);
    } catch (e) {
      if (e instanceof Gone) throw lost(e);
      throw e;
    }
    if (reply.t === 'ret') return RV.decode(reply.value);
    if (reply.t === 'exc' && reply.s !== 'TIMEOUT') {
      const e = realmError(String(reply.type || ''), String(reply.msg || ''));
      raised.set(e, { s: 'ERROR', kind: String(reply.kind || 'Error'), msg: String(reply.msg || ''), loc: locOf(reply) });
      throw e;
    }
    throw lost(candidate.lose(reply.t === 'exc' ? 'TIMEOUT' : 'ERROR', reply.t === 'exc' ? 'Timeout' : 'Protocol',
      String(reply.msg || 'the program wrote over the runtime\'s channel')));
  }

  for (const [name, kind] of Object.entries(names)) {
    if ((builtins.has(name) && !entryPoints.has(name)) || !/^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name)) continue;
    if (kind === 'callable') {
      const proxy = function (...args) { return call(name, args, new.target !== undefined); };
      Object.defineProperty(proxy, 'name', { value: name });
      Object.defineProperty(G, name, { value: proxy, writable: true, configurable: true });
    } else if (kind === 'value') {
      let got = false, v;
      Object.defineProperty(G, name, {
        get() { if (!got) { v = value(name); got = true; } return v; },
        set(x) { got = true; v = x; },
        configurable: true,
      });
    }
  }
  RV.determinism(G, job.seed | 0, Number(job.now) || 0);
  return ctx;
}

function errorKind(e) {
  try {
    if (e !== null && typeof e === 'object' && typeof e.name === 'string') return e.name || 'Error';
  } catch (err) { /* below */ }
  return 'Error';
}

// V8's watchdog stopped the test (the error may belong to the test's realm).
function isTimeout(e) {
  try {
    return e !== null && typeof e === 'object' && e.code === TIMEOUT_CODE && !raised.has(e);
  } catch (err) {
    return false;
  }
}

function runTest(script, names, entryPoints) {
  const left = Math.floor(Number(job.deadline_s || 10) * 1000 - (clock() - started));
  if (left <= 0) return { s: 'TIMEOUT', kind: 'Timeout', msg: 'the time limit ran out', exited: true };
  let res;
  try {
    script.runInContext(testContext(names, entryPoints), { timeout: left });
    res = { s: 'PASS' };
  } catch (e) {
    if (candidate.gone) res = candidate.gone;
    else if (isTimeout(e)) {
      res = { s: 'TIMEOUT', kind: 'Timeout', msg: 'the time limit ran out in the test', exited: true };
    } else if (e !== null && typeof e === 'object' && raised.has(e)) res = raised.get(e);
    else res = { s: 'FAIL', kind: errorKind(e), msg: V.describeError(e).slice(0, 4000) };
  }
  if (candidate.gone) res = candidate.gone;   // a test that swallowed the loss still lost it
  return { s: res.s, kind: res.kind, msg: res.msg, loc: res.loc === undefined ? null : res.loc, exited: !!res.exited };
}

// --- the run ---------------------------------------------------------------------------------------
function main() {
  job = JSON.parse(fs.readFileSync(0, 'utf8'));
  job.stmtRanges = job.n_ranges | 0;
  emit({ t: 'ready' });
  const scripts = [];
  for (let i = 0; i < job.tests.length; i++) {
    try {
      scripts.push(new vm.Script(job.tests[i].code, { filename: TEST_FILE }));
    } catch (e) {
      emit({ t: 'bad_test', i, msg: `test ${JSON.stringify(job.tests[i].id)} does not compile: ${V.describeError(e)}` });
      return;
    }
  }
  let loaded;
  try {
    candidate.send(JSON.stringify({ mode: 'serve', program: job.program, stmts: job.stmts, names: job.names,
      deadline_s: job.candidate_deadline_s, seed: job.seed, now: job.now }));
    emit({ t: 'program' });
    do loaded = candidate.receive(); while (loaded.t === 'ready' || loaded.t === 'program');
  } catch (e) {
    if (!(e instanceof Gone)) throw e;
    emit({ t: 'result', i: 0, s: e.s, kind: e.kind, msg: e.msg, wall: 0, exited: true });
    return;
  }
  if (loaded.t === 'compile_error') {
    const loc = Array.isArray(loaded.loc) && loaded.loc.length === 6 && loaded.loc.every(Number.isInteger) ? loaded.loc : null;
    emit({ t: 'compile_error', kind: String(loaded.kind || 'SyntaxError'), msg: String(loaded.msg || '').slice(0, 4000), loc });
    emit({ t: 'done' });
    return;
  }
  if (loaded.t !== 'loaded' || loaded.names === null || typeof loaded.names !== 'object') {
    const timeout = loaded.t === 'load_error' && loaded.s === 'TIMEOUT';
    const res = { t: 'result', s: timeout ? 'TIMEOUT' : 'ERROR', kind: String(loaded.kind || 'Error'),
      msg: String(loaded.msg || 'the program did not load').slice(0, 4000), loc: locOf(loaded), wall: 0,
      program_level: true };
    for (let i = 0; i < (timeout ? 1 : scripts.length); i++) emit(Object.assign({ i }, res));
    if (!timeout) emit({ t: 'done' });
    return;
  }
  const names = Object.create(null);
  for (const [k, v] of Object.entries(loaded.names)) if (v === 'callable' || v === 'value') names[k] = v;
  // Only the entry points may shadow a builtin (a program defining `isNaN` or `Math` is not asked).
  const entryPoints = new Set((job.entry_points || []).filter((e) => typeof e === 'string'));
  for (let i = 0; i < scripts.length; i++) {
    emit({ t: 'start', i });
    const t0 = clock();
    const res = runTest(scripts[i], names, entryPoints);
    emit(Object.assign({ t: 'result', i, wall: (clock() - t0) / 1000 }, res));
    if (res.exited) return;   // the candidate is gone (or time is up): later tests are not run
  }
  emit({ t: 'done' });
}

try {
  main();
} catch (e) {
  try { emit({ t: 'internal', msg: V.describeError(e) }); } catch (err) { /* the channel is gone */ }
  process.reallyExit(70);
}
process.reallyExit(0);
