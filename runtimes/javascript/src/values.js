'use strict';
// Values in the kit's compact VALUE encoding (egca_kit.protocol), and determinism.
//
// `makeValues` is realm-agnostic: its source is also evaluated inside the harness's
// vm contexts, so that decoded values are built from that realm's own Array/Object/Map,
// and `instanceof` in test code works. It captures the builtins it uses when it is
// made, so a program that later redefines a global cannot change how values are read.
//
// Two modes:
// - trace: capped (strings 1000, 64 items, depth 4) for trace events; undefined is
//   null, -0 is 0, sets are sorted (equal sets encode equally);
// - exact: uncapped (depth 100, cycles and shared structure bounded) for the replies of
//   a candidate to the harness and the harness's arguments: undefined is
//   ["x","undefined"], -0 is ["f","-0"], sets keep their insertion order.

function makeValues() {
  const _Array = Array, _Object = Object, _Map = Map, _Set = Set, _JSON = JSON, _String = String;
  const _isArray = Array.isArray, _isView = ArrayBuffer.isView, _keys = Object.keys;
  const _getProto = Object.getPrototypeOf, _define = Object.defineProperty, _isSafe = Number.isSafeInteger;
  const _stringify = JSON.stringify, _BigInt = BigInt, _Date = Date, _RegExp = RegExp, _Error = Error;
  const _DataView = DataView, _slice = Array.prototype.slice, _join = Array.prototype.join;
  const _push = Array.prototype.push, _sort = Array.prototype.sort, _from = Array.from;
  const _test = RegExp.prototype.test, _isNaN = Number.isNaN, _dateTime = Date.prototype.getTime;
  const _iso = Date.prototype.toISOString, _reToString = RegExp.prototype.toString;
  const _mapEntries = Map.prototype.entries, _setValues = Set.prototype.values, _mapSet = Map.prototype.set;
  const _setAdd = Set.prototype.add, _mapClear = Map.prototype.clear, _setClear = Set.prototype.clear;
  const _mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size').get;
  const _setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size').get;
  const _call = Function.prototype.call;
  const call = (fn, self, ...args) => _call.apply(fn, [self, ...args]);
  const INT_RE = /^-?\d+$/;
  const TYPED = {};
  for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
    'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
    if (typeof globalThis[name] === 'function') TYPED[name] = globalThis[name];
  }

  function isMap(v) { try { call(_mapSize, v); return true; } catch (e) { return false; } }
  function isSet(v) { try { call(_setSize, v); return true; } catch (e) { return false; } }
  function isDate(v) { try { call(_dateTime, v); return true; } catch (e) { return false; } }

  function typeName(v) {
    try {
      const proto = _getProto(v);
      if (proto === null) return 'Object';
      const ctor = proto.constructor;
      return (typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name) || 'Object';
    } catch (e) {
      return 'Object';
    }
  }

  function describeError(e) {
    try {
      if (e instanceof _Error || (e !== null && typeof e === 'object' && typeof e.message === 'string' &&
          typeof e.name === 'string')) return _String(e.name || 'Error') + ': ' + _String(e.message);
      return 'Uncaught ' + (typeof e === 'string' ? _stringify(e) : _String(e));
    } catch (err) {
      return 'Uncaught <unprintable>';
    }
  }

  // One encoder; `exact` lifts the caps. Returns the JSON text of the VALUE.
  function encoder(exact) {
    const STR = exact ? Infinity : 1000;
    const ITEMS = exact ? Infinity : 64;
    const DEPTH = exact ? 100 : 4;
    const BUDGET = 4000000;           // exact: nodes per value (shared structure can explode)
    let budget = 0;
    const stack = [];

    function num(v) {
      if (_isSafe(v)) return v === 0 ? (exact && 1 / v < 0 ? '["f","-0"]' : '0') : _String(v);
      if (v !== v) return '["f","nan"]';
      if (v === Infinity) return '["f","inf"]';
      if (v === -Infinity) return '["f","-inf"]';
      const s = _String(v);
      return call(_test, INT_RE, s) ? s + '.0' : s;   // an unsafe integer is a float to the decoder
    }
    function opaque(text) { return '["x",' + _stringify(text) + ']'; }
    function list(items, length, type, depth) {
      const n = items.length < ITEMS ? items.length : ITEMS;
      let out = '';
      for (let i = 0; i < n; i++) out += (i ? ',' : '') + enc(items[i], depth + 1);
      return '["l",' + _stringify(type) + ',' + length + ',[' + out + ']]';
    }
    function enc(v, depth) {
      switch (typeof v) {
        case 'undefined': return exact ? '["x","undefined"]' : 'null';
        case 'boolean': return v ? 'true' : 'false';
        case 'number': return num(v);
        case 'string': return v.length <= STR ? _stringify(v) : '["s",' + _stringify(v.slice(0, STR)) + ',' + v.length + ']';
        case 'bigint': return '["i","' + _String(v) + '"]';
        case 'symbol': return opaque(v.description === undefined ? 'Symbol()' : 'Symbol(' + v.description + ')');
        case 'function': {
          let name = '';
          try { name = typeof v.name === 'string' ? v.name : ''; } catch (e) { /* a proxy */ }
          return opaque('<function ' + (name || 'anonymous') + '>');
        }
      }
      if (v === null) return 'null';
      if (exact && ++budget > BUDGET) return opaque('<too large>');
      if (stack.indexOf(v) >= 0) return opaque('<cycle>');
      stack.push(v);
      try {
        return encObject(v, depth);
      } catch (e) {
        return opaque('<unreadable>');   // a getter or proxy of the program threw
      } finally {
        stack.pop();
      }
    }
    function encObject(v, depth) {
      if (_isArray(v)) {
        if (depth >= DEPTH) return opaque('<Array>');
        const n = v.length;
        const items = new _Array(n < ITEMS ? n : ITEMS);
        for (let i = 0; i < items.length; i++) items[i] = v[i];
        return list(items, n, 'Array', depth);
      }
      if (_isView(v) && !(v instanceof _DataView)) {
        const type = typeName(v);
        if (depth >= DEPTH) return opaque('<' + type + '>');
        return list(call(_slice, v, 0, ITEMS === Infinity ? v.length : ITEMS), v.length, type, depth);
      }
      if (isSet(v)) {
        if (depth >= DEPTH) return opaque('<Set>');
        const items = [];
        for (const x of call(_setValues, v)) { if (items.length >= ITEMS && exact) break; call(_push, items, x); }
        return list(exact ? items : sortedSet(items), call(_setSize, v), 'Set', depth);
      }
      if (isMap(v)) {
        if (depth >= DEPTH) return opaque('<Map>');
        let out = '';
        let n = 0;
        for (const [k, x] of call(_mapEntries, v)) {
          if (n >= ITEMS) break;
          out += (n++ ? ',[' : '[') + enc(k, depth + 1) + ',' + enc(x, depth + 1) + ']';
        }
        return '["m","Map",' + call(_mapSize, v) + ',[' + out + ']]';
      }
      if (isDate(v)) {
        const t = call(_dateTime, v);
        return opaque('Date(' + (t !== t ? 'Invalid' : call(_iso, v)) + ')');
      }
      if (v instanceof _RegExp) return opaque(call(_reToString, v));
      if (v instanceof _Error) return opaque(describeError(v));
      const type = typeName(v);
      if (depth >= DEPTH) return opaque('<' + type + '>');
      const keys = _keys(v);
      const proto = _getProto(v);
      const n = keys.length < ITEMS ? keys.length : ITEMS;
      let out = '';
      for (let i = 0; i < n; i++) out += (i ? ',[' : '[') + _stringify(keys[i]) + ',' + enc(v[keys[i]], depth + 1) + ']';
      if (proto === _Object.prototype || proto === null) return '["m","Object",' + keys.length + ',[' + out + ']]';
      return '["o",' + _stringify(type) + ',[' + out + ']]';
    }
    // Trace: equal sets encode equally whatever their insertion order.
    function sortedSet(items) {
      let allNum = true, allStr = true;
      for (const x of items) { if (typeof x !== 'number') allNum = false; if (typeof x !== 'string') allStr = false; }
      if (allNum) return call(_sort, items, (a, b) => a - b);
      if (allStr) return call(_sort, items);
      const keyed = items.map((x) => [enc(x, DEPTH - 1), x]);
      call(_sort, keyed, (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return keyed.map((p) => p[1]);
    }
    return (v) => { budget = 0; stack.length = 0; return enc(v, 0); };
  }

  // An opaque value (a function, a symbol, a cut string...): equal to nothing but itself.
  class Opaque {
    constructor(text) { _define(this, 'text', { value: _String(text) }); _Object.freeze(this); }
    toString() { return '<opaque ' + this.text + '>'; }
    toJSON() { return '<opaque ' + this.text + '>'; }
  }

  // An exact VALUE (parsed JSON) -> plain data of this realm. Never an object of the
  // sender's: nothing here can run code the sender chose.
  function decode(j, depth = 0) {
    const t = typeof j;
    if (j === null || t === 'boolean' || t === 'number' || t === 'string') return j;
    if (!_isArray(j) || typeof j[0] !== 'string' || depth > 200) return new Opaque('<malformed value>');
    const tag = j[0];
    if (tag === 'i' && typeof j[1] === 'string' && call(_test, INT_RE, j[1])) return _BigInt(j[1]);
    if (tag === 'f') {
      if (j[1] === 'nan') return NaN;
      if (j[1] === 'inf') return Infinity;
      if (j[1] === '-inf') return -Infinity;
      if (j[1] === '-0') return -0;
    }
    if (tag === 'x' && j[1] === 'undefined') return undefined;
    if (tag === 'l' && _isArray(j[3]) && j[3].length === j[2]) {
      const items = [];
      for (const x of j[3]) call(_push, items, decode(x, depth + 1));
      if (j[1] === 'Set') { const s = new _Set(); for (const x of items) call(_setAdd, s, x); return s; }
      if (typeof j[1] === 'string' && TYPED[j[1]] && j[1] !== 'Array') {
        try { return new TYPED[j[1]](items); } catch (e) { return new Opaque('<' + j[1] + '>'); }
      }
      return items;
    }
    if (tag === 'm' && _isArray(j[3]) && j[3].length === j[2]) {
      if (j[1] === 'Map') {
        const m = new _Map();
        for (const p of j[3]) if (_isArray(p)) call(_mapSet, m, decode(p[0], depth + 1), decode(p[1], depth + 1));
        return m;
      }
      return fields(j[3], depth);
    }
    if (tag === 'o' && _isArray(j[2])) return fields(j[2], depth);
    if (tag === 'x') return new Opaque(_String(j[1]));
    return new Opaque('<' + _String(tag).slice(0, 20) + ' value>');   // cut, malformed or unknown
  }
  function fields(pairs, depth) {
    const o = {};
    for (const p of pairs) {
      if (!_isArray(p) || typeof p[0] !== 'string') continue;
      // defineProperty: a "__proto__" key is data, never the prototype.
      _define(o, p[0], { value: decode(p[1], depth + 1), writable: true, enumerable: true, configurable: true });
    }
    return o;
  }

  // A mutable argument the callee changed: the caller's object gets the new contents.
  function copyBack(original, after) {
    try {
      if (_isArray(original) && _isArray(after)) {
        original.length = 0;
        for (const x of after) call(_push, original, x);
      } else if (isMap(original) && isMap(after)) {
        call(_mapClear, original);
        for (const [k, x] of call(_mapEntries, after)) call(_mapSet, original, k, x);
      } else if (isSet(original) && isSet(after)) {
        call(_setClear, original);
        for (const x of call(_setValues, after)) call(_setAdd, original, x);
      } else if (_isView(original) && _isView(after) && original.length === after.length) {
        for (let i = 0; i < after.length; i++) original[i] = after[i];
      } else if (original !== null && typeof original === 'object' && after !== null && typeof after === 'object' &&
                 _getProto(original) === _Object.prototype && !_isArray(after) && !(after instanceof Opaque)) {
        for (const k of _keys(original)) delete original[k];
        for (const k of _keys(after)) _define(original, k, { value: after[k], writable: true, enumerable: true, configurable: true });
      }
    } catch (e) { /* frozen or exotic: left as it was */ }
  }

  // Determinism: a seeded Math.random and a fixed clock (Date.now, new Date()).
  function seededRandom(seed) {
    let a = (seed | 0) ^ 0x9e3779b9;
    return function random() {          // mulberry32
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function fixedDate(now) {
    const RealDate = _Date;
    function Date(...args) {
      if (new.target === undefined) return call(RealDate.prototype.toString, new RealDate(now));
      return Reflect.construct(RealDate, args.length ? args : [now], new.target);
    }
    _define(Date, 'prototype', { value: RealDate.prototype, writable: false });
    _define(RealDate.prototype, 'constructor', { value: Date, writable: true, configurable: true });
    Date.now = function now_() { return now; };
    Date.parse = RealDate.parse;
    Date.UTC = RealDate.UTC;
    return Date;
  }
  // Called at the start of every test (and, in a candidate, of every call).
  function determinism(global, seed, now) {
    global.Math.random = seededRandom(seed);
    if (!global.Date || global.Date.now() !== now) {
      _define(global, 'Date', { value: fixedDate(now), writable: true, configurable: true, enumerable: false });
    }
  }

  return { encodeTrace: encoder(false), encodeExact: encoder(true), decode, copyBack, describeError, determinism,
    Opaque, isMap, isSet };
}

module.exports = { makeValues };
