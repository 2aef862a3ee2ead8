'use strict';
// Tracing cost of the instrumentation, measured in one process on the same programs:
// uninstrumented run vs instrumented run. Events are built as lines and written as
// src/child.js writes its channel (lines buffered, joined and written in 64 KiB
// chunks), to /dev/null instead of fd 3.
//   node bench/trace_cost.js [repeats]
// Prints per program: events, plain ms, traced ms, ratio, µs per event of overhead.
const fs = require('fs');
const vm = require('vm');
const { instrument } = require('../src/instrument');
const { createTracer } = require('../src/trace_runtime');
const V = require('../src/values').makeValues();

const PROGRAMS = {
  sum_loop: ['const f = (n) => {\n  let s = 0;\n  for (let i = 0; i < n; i++) { s += i % 7; }\n  return s;\n}', 'f(20000)'],
  gcd: ['const gcd = (a, b) => {\n  while (b != 0) {\n    let t = a;\n    a = b;\n    b = t % b;\n  }\n  return a;\n}\n' +
        'const g = (n) => { let s = 0; for (let i = 1; i < n; i++) s += gcd(i * 7919, 104729); return s; }', 'g(3000)'],
  fib_rec: ['function fib(n) {\n  if (n < 2) return n;\n  return fib(n - 1) + fib(n - 2);\n}', 'fib(18)'],
  array_push: ['const f = (n) => {\n  const xs = [];\n  for (let i = 0; i < n; i++) if (i % 3 == 0) xs.push(i);\n  return xs.length;\n}', 'f(20000)'],
  string_build: ['const f = (n) => {\n  let s = "";\n  for (let i = 0; i < n; i++) { s += String.fromCharCode(97 + i % 26); }\n  return s.length;\n}', 'f(5000)'],
};

// The channel, as child.js's emit/flush (FLUSH_BYTES = 64 KiB).
const sink = fs.openSync('/dev/null', 'w');
let buffer = [];
let buffered = 0;
function flush() {
  if (!buffered) return;
  const data = Buffer.from(buffer.join(''), 'utf8');
  buffer = [];
  buffered = 0;
  fs.writeSync(sink, data, 0, data.length);
}
function emitLine(line) {
  buffer.push(line + '\n');
  buffered += line.length + 1;
  if (buffered >= 64 * 1024) flush();
}

function time(fn, repeats) {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

const repeats = Number(process.argv[2] || 5);
let totalEvents = 0, totalPlain = 0, totalTraced = 0;
for (const [name, [program, call]] of Object.entries(PROGRAMS)) {
  const plainCtx = vm.createContext({});
  vm.runInContext(program, plainCtx);
  const inst = instrument(program);
  let events = 0;
  const tracer = () => createTracer({ fns: inst.fns, points: inst.points, maxEvents: 1e9, emit: (line) => { events++; emitLine(line); },
    encode: V.encodeTrace, describeError: V.describeError });
  const tracedCtx = vm.createContext({ __egca$t: tracer() });
  vm.runInContext(inst.code, tracedCtx);
  const plain = time(() => vm.runInContext(call, plainCtx), repeats);
  const traced = time(() => { tracedCtx.__egca$t = tracer(); events = 0; vm.runInContext(call, tracedCtx); flush(); }, repeats);
  totalEvents += events; totalPlain += plain; totalTraced += traced;
  console.log(`${name.padEnd(14)} events ${String(events).padStart(7)}  plain ${plain.toFixed(2).padStart(8)} ms  traced ${traced.toFixed(2).padStart(8)} ms  ratio ${(traced / plain).toFixed(1).padStart(6)}x  ${((traced - plain) * 1000 / events).toFixed(2)} µs/event`);
}
console.log(`all            events ${totalEvents}  overhead ${((totalTraced - totalPlain) * 1000 / totalEvents).toFixed(2)} µs/event  ratio ${(totalTraced / totalPlain).toFixed(1)}x`);
