'use strict';
// Runtime values -> the JSON form of egca.v1.Value (proto field names), built as a
// string: the same string serves to diff a binding against its previous value and
// is spliced unchanged into the event line, so each value is encoded once.

const MAX_ITEMS = 64;
const MAX_DEPTH = 4;
const MAX_STR = 1000;

const NULL = '{"null_value":true}';
const TRUE = '{"bool_value":true}';
const FALSE = '{"bool_value":false}';

function str(s) {
  if (s.length <= MAX_STR) return '{"str_value":' + JSON.stringify(s) + '}';
  return '{"str_value":' + JSON.stringify(s.slice(0, MAX_STR)) + ',"truncated":true}';
}

function num(v) {
  if (Number.isSafeInteger(v)) return '{"int_value":"' + (v === 0 ? 0 : v) + '"}';   // -0 -> 0
  if (v !== v) return '{"float_value":"NaN"}';
  if (v === Infinity) return '{"float_value":"Infinity"}';
  if (v === -Infinity) return '{"float_value":"-Infinity"}';
  return '{"float_value":' + v + '}';
}

function opaque(text) {
  return '{"opaque":' + JSON.stringify(text) + '}';
}

function typeName(v) {
  try {
    const proto = Object.getPrototypeOf(v);
    if (proto === null) return 'Object';
    const ctor = proto.constructor;
    return (typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name) || 'Object';
  } catch (e) {
    return 'Object';
  }
}

function list(items, length, type, depth) {
  const n = Math.min(items.length, MAX_ITEMS);
  const parts = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = encode(items[i], depth + 1);
  return '{"list_value":{"items":[' + parts.join(',') + '],"type_name":"' + type + '","length":' + length + '}' +
    (length > MAX_ITEMS ? ',"truncated":true}' : '}');
}

function entries(pairs, length, type, depth) {
  const n = Math.min(pairs.length, MAX_ITEMS);
  const parts = new Array(n);
  for (let i = 0; i < n; i++) {
    parts[i] = '{"key":' + encode(pairs[i][0], depth + 1) + ',"value":' + encode(pairs[i][1], depth + 1) + '}';
  }
  return '{"map_value":{"entries":[' + parts.join(',') + '],"type_name":"' + type + '","length":' + length + '}' +
    (length > MAX_ITEMS ? ',"truncated":true}' : '}');
}

// Sets are sorted (numbers numerically, otherwise by encoding) so that equal sets
// encode equally whatever their insertion order.
function sortedSet(set) {
  const items = Array.from(set);
  if (items.every((x) => typeof x === 'number')) return items.sort((a, b) => a - b);
  if (items.every((x) => typeof x === 'string')) return items.sort();
  const keyed = items.map((x) => [encode(x, MAX_DEPTH - 1), x]);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map((p) => p[1]);
}

function encode(v, depth = 0) {
  switch (typeof v) {
    case 'undefined': return NULL;
    case 'boolean': return v ? TRUE : FALSE;
    case 'number': return num(v);
    case 'string': return str(v);
    case 'bigint': return '{"int_value":"' + v.toString() + '"}';
    case 'symbol': return opaque(String(v.description === undefined ? 'Symbol()' : 'Symbol(' + v.description + ')'));
    case 'function': return opaque('<function ' + (v.name || 'anonymous') + '>');
  }
  if (v === null) return NULL;
  try {
    if (Array.isArray(v)) {
      if (depth >= MAX_DEPTH) return opaque('<Array>');
      return list(v, v.length, 'Array', depth);
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const type = typeName(v);
      if (depth >= MAX_DEPTH) return opaque('<' + type + '>');
      return list(Array.prototype.slice.call(v, 0, MAX_ITEMS), v.length, type, depth);
    }
    if (v instanceof Set) {
      if (depth >= MAX_DEPTH) return opaque('<Set>');
      return list(sortedSet(v), v.size, 'Set', depth);
    }
    if (v instanceof Map) {
      if (depth >= MAX_DEPTH) return opaque('<Map>');
      const pairs = [];
      for (const pair of v) { if (pairs.length >= MAX_ITEMS) break; pairs.push(pair); }
      return entries(pairs, v.size, 'Map', depth);
    }
    if (v instanceof Date) return opaque('Date(' + (isNaN(v.getTime()) ? 'Invalid' : v.toISOString()) + ')');
    if (v instanceof RegExp) return opaque(String(v));
    if (v instanceof Error) return opaque((v.name || 'Error') + ': ' + v.message);
    const type = typeName(v);
    if (depth >= MAX_DEPTH) return opaque('<' + type + '>');
    const keys = Object.keys(v);
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const pairs = [];
      for (let i = 0; i < keys.length && i < MAX_ITEMS; i++) pairs.push([keys[i], v[keys[i]]]);
      return entries(pairs, keys.length, 'Object', depth);
    }
    const n = Math.min(keys.length, MAX_ITEMS);
    const fields = new Array(n);
    for (let i = 0; i < n; i++) fields[i] = '{"name":' + JSON.stringify(keys[i]) + ',"value":' + encode(v[keys[i]], depth + 1) + '}';
    return '{"object_value":{"type_name":' + JSON.stringify(type) + ',"fields":[' + fields.join(',') + ']}' +
      (keys.length > MAX_ITEMS ? ',"truncated":true}' : '}');
  } catch (e) {
    // A getter or proxy of the program threw while being read: say so, deterministically.
    return opaque('<unreadable>');
  }
}

module.exports = { encode, MAX_ITEMS, MAX_DEPTH, MAX_STR };
