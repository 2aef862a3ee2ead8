#!/usr/bin/env node
'use strict';
// The EGCA Tracer service for JavaScript (egca.v1.Tracer), with gRPC health
// checking and server reflection.
//
//   node src/server.js --host 127.0.0.1 --port 0
//
// prints `PORT <n>` as its first stdout line (the engine's launcher reads it);
// logs go to stderr. Untrusted code never runs in this process: the program is
// only parsed/instrumented here, and runs in a sandboxed child (sandbox.js).

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { HealthImplementation, protoPath: healthProtoPath } = require('grpc-health-check');
const { ReflectionService } = require('@grpc/reflection');

const { check, instrument, statementAt, CompileError } = require('./instrument');
const { runSandboxed, probeIsolation, effectiveLimits, validateLimits, DEFAULT_LIMITS } = require('./sandbox');

const MAX_SOURCE_BYTES = 256 * 1024;   // as egca.problem.MAX_SOURCE_BYTES
const MAX_TESTS = 10000;
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
// Events per Trace message: big enough to amortise gRPC's per-message cost.
const CHUNK_EVENTS = 512;

function log(...args) { process.stderr.write('[egca-js] ' + args.join(' ') + '\n'); }

// --- wire contract -----------------------------------------------------------------
function protoDir() {
  const candidates = [process.env.EGCA_PROTO_DIR, path.resolve(__dirname, '../../../proto'), path.resolve(__dirname, '../proto')];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, 'egca/v1/tracer.proto'))) return dir;
  }
  throw new Error('cannot find egca/v1/tracer.proto; set EGCA_PROTO_DIR to the proto/ directory');
}

function loadProtos() {
  const dir = protoDir();
  const def = protoLoader.loadSync(['egca/v1/tracer.proto', healthProtoPath], {
    includeDirs: [dir, path.dirname(healthProtoPath)], keepCase: true, longs: String, enums: String,
    defaults: true, oneofs: true,
  });
  return { def, pkg: grpc.loadPackageDefinition(def) };
}

function runtimeVersion() {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.js')) h.update(f).update(fs.readFileSync(path.join(__dirname, f)));
  return `egca-js/${pkg.version}+${h.digest('hex').slice(0, 12)}`;
}

// --- requests ---------------------------------------------------------------------
class InvalidArgument extends Error {}

function checkSource(text, what) {
  if (typeof text !== 'string') throw new InvalidArgument(`${what} must be a string`);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_SOURCE_BYTES) throw new InvalidArgument(`${what} is ${size} bytes; the limit is ${MAX_SOURCE_BYTES}`);
}

function validateCommon(program, tests, limits) {
  checkSource(program, 'program');
  if (!program.trim()) throw new InvalidArgument('program is empty');
  if (!tests.length) throw new InvalidArgument('no test cases given');
  if (tests.length > MAX_TESTS) throw new InvalidArgument(`too many test cases (${tests.length} > ${MAX_TESTS})`);
  tests.forEach((t, i) => {
    checkSource(t.code, `test ${i} code`);
    if (!t.code.trim()) throw new InvalidArgument(`test ${i} (${t.id}) has no code`);
  });
  const bad = validateLimits(limits);
  if (bad) throw new InvalidArgument(bad);
}

// --- results --------------------------------------------------------------------
function diagnostic(kind, message, location) {
  return location ? { kind, message, has_location: true, location } : { kind, message, has_location: false };
}

// A run-time error location (1-based line, 1-based UTF-16 column of the program)
// as the byte range of the statement it lies in.
function programLocation(checked, line, col) {
  if (!checked || !line) return null;
  const at = checked.pos.offsetOf(line, (col || 1) - 1);
  return statementAt(checked.ast, checked.pos, at);
}

function resultDiagnostic(o, checked) {
  const where = o.file === 'program' ? programLocation(checked, o.line, o.col) : null;
  return diagnostic(o.kind || 'Error', o.msg || '', where);
}

// What the child's death says about the test that was running.
function deathOf(proc, limits) {
  if (proc.abuse) return { status: 'ERROR', run: 'CRASHED', kind: 'SandboxViolation', msg: `SandboxViolation: ${proc.abuse}` };
  if (proc.timedOut || proc.cpuExceeded) {
    return { status: 'TIMEOUT', run: 'TIMED_OUT', kind: 'Timeout', msg: `Timeout: the run exceeded its ${proc.timedOut ? 'time' : 'CPU'} limit (${proc.timedOut ? limits.timeout_s : limits.cpu_s} s)` };
  }
  if (proc.outOfMemory) return { status: 'ERROR', run: 'CRASHED', kind: 'MemoryError', msg: 'MemoryError: the program ran out of memory' };
  if (proc.signal) return { status: 'ERROR', run: 'CRASHED', kind: proc.signal, msg: `${proc.signal}: the program was killed by ${proc.signal}` };
  return { status: 'ERROR', run: 'CRASHED', kind: 'Exit', msg: `Exit: the program ended the process (exit code ${proc.code})` };
}

function infrastructureFailure(proc) {
  const why = proc.spawnError ? String(proc.spawnError.message) : (proc.stderrTail || '').trim().split('\n').slice(-12).join(' | ');
  const err = new Error(`sandbox failed before running the program: ${why || `exit ${proc.code} ${proc.signal || ''}`}`);
  err.code = grpc.status.INTERNAL;
  return err;
}

// --- the service ------------------------------------------------------------------
class TracerService {
  constructor(iso) {
    this.iso = iso;
    this.version = runtimeVersion();
    this.cache = new Map();   // program -> instrumentation (reference programs come back often)
    this.slots = Math.max(2, Number(process.env.EGCA_JS_CONCURRENCY) || os.cpus().length);
    this.active = 0;
    this.queue = [];
  }

  async sandboxed(job, limits, onLine, ctl) {
    while (this.active >= this.slots) await new Promise((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await runSandboxed(this.iso, job, limits, onLine, ctl);
    } finally {
      this.active--;
      const next = this.queue.shift();
      if (next) next();
    }
  }

  instrumented(program) {
    let hit = this.cache.get(program);
    if (!hit) {
      hit = instrument(program);
      if (this.cache.size >= 256) this.cache.delete(this.cache.keys().next().value);
      this.cache.set(program, hit);
    }
    return hit;
  }

  info() {
    const limits = effectiveLimits({});
    return {
      language: 'javascript', runtime_version: this.version, language_version: `Node ${process.version}`,
      isolation: this.iso.names, default_limits: limits,
    };
  }

  async run(req) {
    const program = req.program || '';
    const tests = req.tests || [];
    validateCommon(program, tests, req.limits);
    const limits = effectiveLimits(req.limits);
    const results = tests.map((t) => ({ id: t.id, status: 'NOT_RUN', wall_s: 0 }));
    let checked;
    try {
      checked = check(program);
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      return { status: 'COMPILE_ERROR', results, compile_error: diagnostic(e.kind, e.message, e.location), output: '', wall_s: 0 };
    }
    let current = -1, compile = null, load = null, done = false;
    const proc = await this.sandboxed({ mode: 'run', program, tests: tests.map((t) => ({ id: t.id, code: t.code })) }, limits, (o) => {
      if (o.t === 'start') current = o.i;
      else if (o.t === 'res' && results[o.i]) {
        results[o.i] = { id: tests[o.i].id, status: o.st, wall_s: o.wall || 0 };
        if (o.st !== 'PASS') results[o.i].error = resultDiagnostic(o, checked);
        current = -1;
      } else if (o.t === 'compile') compile = o;
      else if (o.t === 'load') load = o;
      else if (o.t === 'done') done = true;
    });
    if (!proc.hello) throw infrastructureFailure(proc);
    const response = { status: 'COMPLETED', results, output: proc.output, output_truncated: proc.outputTruncated, wall_s: proc.wall_s };
    if (compile) {
      const at = compile.line ? programLocation(checked, compile.line, compile.col) : null;
      return Object.assign(response, { status: 'COMPILE_ERROR', compile_error: diagnostic(compile.kind, compile.msg, at) });
    }
    if (load && load.st !== 'TIMEOUT') {
      // The program's own top-level code threw: every test sees that error.
      for (const r of results) { r.status = 'ERROR'; r.error = resultDiagnostic(load, checked); }
      return response;
    }
    if (load) {
      results[0].status = 'TIMEOUT';
      results[0].error = diagnostic('Timeout', load.msg);
      response.status = 'TIMED_OUT';
      return response;
    }
    if (results.some((r) => r.status === 'TIMEOUT')) response.status = 'TIMED_OUT';
    if (!done && response.status !== 'TIMED_OUT') {
      const death = deathOf(proc, limits);
      const i = current >= 0 ? current : results.findIndex((r) => r.status === 'NOT_RUN');
      if (i >= 0) { results[i].status = death.status; results[i].error = diagnostic(death.kind, death.msg); }
      response.status = death.run;
    }
    return response;
  }

  async trace(req, write, ctl) {
    const program = req.program || '';
    const test = req.test;
    if (!test) throw new InvalidArgument('no test case given');
    validateCommon(program, [test], req.limits);
    const limits = effectiveLimits(req.limits);
    let seq = 0;
    const end = (status, message, truncated = false) => write({ kind: 'END', seq: seq++, status, message, truncated });
    let inst;
    try {
      inst = this.instrumented(program);
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      return end('ERROR', e.message);
    }
    const { fns, points } = inst;
    let result = null, load = null, compile = null, done = null, events = 0;
    const fnOf = (fid) => (fns[fid] ? fns[fid].name : '');
    const proc = await this.sandboxed({
      mode: 'trace', program: inst.code, tests: [{ id: test.id, code: test.code }], maxEvents: limits.max_events,
      stepNames: points.map((p) => p.names), fnParams: fns.map((f) => f.params),
    }, limits, (o) => {
      if (Array.isArray(o)) {
        if (events >= limits.max_events) return;
        const ev = toEvent(o, fns, points, fnOf);
        if (!ev) return;
        ev.seq = seq++;
        events++;
        write(ev);
      } else if (o.t === 'res') result = o;
      else if (o.t === 'load') load = o;
      else if (o.t === 'compile') compile = o;
      else if (o.t === 'done') done = o;
    }, ctl);
    if (!proc.hello) throw infrastructureFailure(proc);
    const truncated = Boolean(done && done.truncated) || events >= limits.max_events;
    if (compile) return end('ERROR', compile.msg, truncated);
    const outcome = result || load;
    if (outcome) return end(outcome.st === 'PASS' ? 'PASS' : outcome.st, outcome.msg || '', truncated);
    const death = deathOf(proc, limits);
    return end(death.status, death.msg, truncated);
  }
}

const bindingsOf = (pairs) => pairs.map((p) => ({ name: p[0], value: p[1] }));

// A child event line (trace_runtime.js) as a TraceEvent.
function toEvent(a, fns, points, fnOf) {
  const [kind, ref, frame, depth] = a;
  const base = { frame, depth };
  switch (kind) {
    case 2:
      return Object.assign(base, { kind: 'CALL', range: fns[ref] && fns[ref].range, function: fnOf(ref), bindings: bindingsOf(a[4]) });
    case 1:
      return Object.assign(base, { kind: 'STEP', range: points[ref] && points[ref].range, function: fnOf(a[4]), bindings: bindingsOf(a[5]) });
    case 5: {
      const p = points[ref];
      return p && Object.assign(base, { kind: 'BRANCH', range: p.branchRange || p.range, function: fnOf(a[4]), taken: a[5], branch_kind: p.kind });
    }
    case 3:
      return Object.assign(base, { kind: 'RETURN', range: ref >= 0 && points[ref] ? points[ref].range : fns[a[4]] && fns[a[4]].range, function: fnOf(a[4]), value: a[5] });
    case 4:
      return Object.assign(base, { kind: 'EXCEPTION', range: points[ref] && points[ref].range, function: fnOf(a[4]), message: a[5] });
    default:
      return null;
  }
}

// --- transport --------------------------------------------------------------------
function grpcError(e) {
  if (e instanceof InvalidArgument) return { code: grpc.status.INVALID_ARGUMENT, details: e.message };
  log('internal error:', e && e.stack ? e.stack : String(e));
  return { code: e && typeof e.code === 'number' ? e.code : grpc.status.INTERNAL, details: String(e && e.message ? e.message : e) };
}

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--host') args.host = argv[++i];
    else if (argv[i] === '--port') args.port = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: server.js --host H --port N)`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0..65535');
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { def, pkg } = loadProtos();
  const iso = probeIsolation();
  if (!iso.bwrap) log('warning: bubblewrap is not usable; sandbox = rlimits + process group only.', iso.bwrapError || '');
  const service = new TracerService(iso);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // As egca/rpc.py SERVER_OPTIONS: accept keepalive pings; reconnects re-resolve DNS.
    'grpc.keepalive_permit_without_calls': 1, 'grpc.http2.min_ping_interval_without_data_ms': 5000,
    'grpc.max_connection_age_ms': 300000, 'grpc.max_connection_age_grace_ms': 60000,
  });
  server.addService(pkg.egca.v1.Tracer.service, {
    Info: (call, cb) => cb(null, service.info()),
    Run: (call, cb) => service.run(call.request).then((r) => cb(null, r), (e) => cb(grpcError(e))),
    Trace: (call) => {
      const ctl = {};
      call.on('cancelled', () => ctl.kill && ctl.kill());
      // Events go out in chunks (TraceEvents): a full chunk at once, a partial one as soon as
      // the child has nothing more ready (setImmediate), so the stream stays live.
      let chunk = [];
      let scheduled = false;
      const flush = () => {
        scheduled = false;
        if (chunk.length) {
          call.write({ events: chunk });
          chunk = [];
        }
      };
      const write = (ev) => {
        chunk.push(ev);
        if (chunk.length >= CHUNK_EVENTS) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      };
      service.trace(call.request, write, ctl)
        .then(() => { flush(); call.end(); }, (e) => call.emit('error', grpcError(e)));
    },
  });
  const health = new HealthImplementation({ '': 'SERVING', 'egca.v1.Tracer': 'SERVING' });
  health.addToServer(server);
  new ReflectionService(def).addToServer(server);
  server.bindAsync(`${args.host}:${args.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      log('cannot bind:', err.message);
      process.exit(1);
    }
    process.stdout.write(`PORT ${port}\n`);
    log(`Tracer (javascript, ${service.version}) serving on ${args.host}:${port}; isolation: ${iso.names.join(', ')}`);
  });
  const stop = () => {
    health.setStatus('', 'NOT_SERVING');
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    log('fatal:', e.message);
    process.exit(1);
  }
}

module.exports = { TracerService, toEvent };
