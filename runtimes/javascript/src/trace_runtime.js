'use strict';
// The object instrumented programs call (as globalThis.__egca$t) inside the
// sandboxed child. It keeps the traced call stack, diffs each frame's visible
// bindings after every statement, and emits the kit's trace events
// (egca_kit.protocol), with RANGE an index into the table the Babel helper built:
//
//   ["C", range, frame, depth, function, [[name, VALUE], ...]]
//   ["S", range, frame, depth, [[name, VALUE], ...]]
//   ["B", range, frame, depth, taken, kind]
//   ["R", range, frame, depth, VALUE]
//   ["X", range, frame, depth, message]
//
// Lines are built by concatenation, each value encoded once (the same text serves
// to diff a binding against its previous value).

const MAX_ITEMS = 64;

// A shallow copy of an array whose shown items are all primitives (else null).
function snapshot(v) {
  if (!Array.isArray(v)) return null;
  const n = Math.min(v.length, MAX_ITEMS);
  const copy = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (x !== null && (typeof x === 'object' || typeof x === 'function')) return null;
    copy[i] = x;
  }
  copy.fullLength = v.length;
  return copy;
}

function sameItems(v, snap) {
  if (v.length !== snap.fullLength) return false;
  for (let i = 0; i < snap.length; i++) {
    const a = v[i], b = snap[i];
    if (a !== b && !(a !== a && b !== b)) return false;
    if (a === 0 && b === 0 && 1 / a !== 1 / b) return false;
  }
  return true;
}

function createTracer({ fns, points, maxEvents, emit, encode, describeError }) {
  // Names are JSON-quoted once, so event lines are built by concatenation.
  const stepNames = points.map((p) => p[3]);
  const quotedStep = stepNames.map((names) => names.map((n) => JSON.stringify(n)));
  const fnParams = fns.map((f) => f[2]);
  const quotedParams = fnParams.map((names) => names.map((n) => JSON.stringify(n)));
  const fnRange = fns.map((f) => (f[1] === null ? 'null' : String(f[1])));
  const fnName = fns.map((f) => JSON.stringify(f[0]));
  const pointRange = points.map((p) => (p[0] === null ? 'null' : String(p[0])));
  const branchRange = points.map((p) => (p[1] === null ? 'null' : String(p[1])));
  const branchKind = points.map((p) => JSON.stringify(p[2] || ''));
  let count = 0;
  let truncated = false;
  let nextFrame = 1;
  let depth = 0;
  let last = -1;

  function out(line) {
    if (count >= maxEvents) { truncated = true; return; }
    count++;
    emit(line);
  }

  // Bindings of `frame` changed since its previous STEP, as '["x",{...}]' parts.
  // Unchanged primitives and arrays of primitives are recognised without encoding
  // them (a shallow compare of the items the encoding would show); anything else is
  // encoded and compared as text.
  function diff(frame, pid, vals) {
    const names = stepNames[pid];
    const quoted = quotedStep[pid];
    const last = frame.last;
    let parts = '';
    for (let i = 0; i < names.length; i++) {
      const v = vals[i];
      const prev = last[names[i]];
      if (prev !== undefined && prev.raw === v) {
        const t = typeof v;
        if (t !== 'object' && t !== 'function' && v === v) continue;
        if (prev.snap !== null && sameItems(v, prev.snap)) continue;
      }
      const json = encode(v);
      const snap = snapshot(v);
      if (prev !== undefined && prev.json === json) { prev.raw = v; prev.snap = snap; continue; }
      last[names[i]] = { raw: v, json, snap };
      parts += (parts ? ',[' : '[') + quoted[i] + ',' + json + ']';
    }
    return parts;
  }

  const T = {
    // CALL: enter a traced function; returns its frame record.
    c(fid, args) {
      depth++;
      const frame = { id: nextFrame++, fid, depth, last: Object.create(null), exc: undefined };
      if (count >= maxEvents) { truncated = true; return frame; }
      const names = fnParams[fid];
      const quoted = quotedParams[fid];
      let parts = '';
      for (let i = 0; i < names.length; i++) {
        const json = encode(args[i]);
        frame.last[names[i]] = { raw: args[i], json, snap: snapshot(args[i]) };   // unchanged arguments are not repeated by STEPs
        parts += (i ? ',[' : '[') + quoted[i] + ',' + json + ']';
      }
      out('["C",' + fnRange[fid] + ',' + frame.id + ',' + depth + ',' + fnName[fid] + ',[' + parts + ']]');
      return frame;
    },
    // The frame is left (return or exception).
    o(frame) { depth = frame.depth - 1; },
    // STEP after a statement.
    s(frame, pid, vals) {
      last = pid;
      if (count >= maxEvents) { truncated = true; return; }
      out('["S",' + pointRange[pid] + ',' + frame.id + ',' + frame.depth + ',[' + diff(frame, pid, vals) + ']]');
    },
    // Header STEP then BRANCH of an if / while / do-while / for; returns the condition.
    b(frame, pid, value, vals) {
      if (count < maxEvents) {
        T.s(frame, pid, vals);
        out('["B",' + branchRange[pid] + ',' + frame.id + ',' + frame.depth + ',' + (value ? 'true,' : 'false,') + branchKind[pid] + ']');
      } else truncated = true;
      return value;
    },
    // Ternary: BRANCH only (it is part of its statement).
    t(frame, pid, value) {
      last = pid;
      if (count < maxEvents) {
        out('["B",' + branchRange[pid] + ',' + frame.id + ',' + frame.depth + ',' + (value ? 'true,' : 'false,') + branchKind[pid] + ']');
      } else truncated = true;
      return value;
    },
    // STEP of a return statement (or an expression body), then RETURN; returns the value.
    r(frame, pid, value, vals) {
      if (count < maxEvents) {
        T.s(frame, pid, vals);
        out('["R",' + pointRange[pid] + ',' + frame.id + ',' + frame.depth + ',' + encode(value) + ']');
      } else truncated = true;
      return value;
    },
    // RETURN of a function that fell off its end.
    rn(frame) {
      out('["R",' + fnRange[frame.fid] + ',' + frame.id + ',' + frame.depth + ',null]');
    },
    // EXCEPTION leaving statement `pid` of `frame` (once per frame and exception).
    x(frame, pid, e) {
      if (frame.exc === e && e !== undefined) return;
      frame.exc = e;
      if (pid < 0) return;
      out('["X",' + pointRange[pid] + ',' + frame.id + ',' + frame.depth + ',' + JSON.stringify(describeError(e).slice(0, 1000)) + ']');
    },
    // for-of / for-in: the header STEP + BRANCH(taken) at the start of each iteration ...
    h(frame, pid, vals) { T.b(frame, pid, true, vals); },
    // ... and STEP + BRANCH(not taken) when the iteration runs out (not on break).
    it(frame, pid, iterable) {
      return {
        [Symbol.iterator]() {
          const inner = iterable[Symbol.iterator]();
          return {
            next(v) {
              const r = inner.next(v);
              if (r.done) T.end(frame, pid);
              return r;
            },
            return(v) { return typeof inner.return === 'function' ? inner.return(v) : { done: true, value: v }; },
          };
        },
      };
    },
    // The loop ran out: header STEP (nothing changed) + BRANCH(not taken).
    end(frame, pid) {
      out('["S",' + pointRange[pid] + ',' + frame.id + ',' + frame.depth + ',[]]');
      out('["B",' + branchRange[pid] + ',' + frame.id + ',' + frame.depth + ',false,' + branchKind[pid] + ']');
    },
    // for-in is traced as for-of over the keys it would enumerate.
    keys(obj) {
      const ks = [];
      for (const k in obj) ks.push(k);
      return ks;
    },
    // switch header: STEP only.
    sw(frame, pid, value, vals) { T.s(frame, pid, vals); return value; },
    get truncated() { return truncated; },
    // The range of the statement that ran last (where a program that runs out of time was).
    get where() { return last < 0 || points[last][0] === null ? null : points[last][0]; },
    get count() { return count; },
  };
  return T;
}

module.exports = { createTracer };
