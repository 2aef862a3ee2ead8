'use strict';
// Babel 7 source instrumentation: after each statement of a traced function,
// call the tracer with the values of the bindings visible there, so the child
// can report the bindings each statement changed (docs/EVENTS.md).
//
// Traced functions are the program's named functions: declarations, methods,
// and function/arrow expressions bound to a name (`const f = (x) => ...`).
// Anonymous callbacks (`xs.map((x) => x + 1)`) are lambdas: part of their
// statement, not traced inside, as comprehensions and lambdas are in Python.
//
// All ranges are computed on the original source and converted to UTF-8 bytes.

const parser = require('@babel/parser');
const traverse = require('@babel/traverse').default;
const generate = require('@babel/generator').default;
const t = require('@babel/types');
const { Positions } = require('./positions');

const T = '__egca$t';   // the tracer object (a global in the child)
const F = '__egca$f';   // the current frame record (a local of each traced function)
const S = '__egca$s';   // the statement being executed in that frame (for EXCEPTION)
const E = '__egca$e';

class CompileError extends Error {
  constructor(message, kind, location) {
    super(message);
    this.kind = kind;
    this.location = location;   // SourceRange or null
  }
}

function parse(source, pos) {
  try {
    return parser.parse(source, { sourceType: 'script', errorRecovery: false });
  } catch (e) {
    if (typeof e.pos !== 'number') throw e;
    let end = e.pos;
    if (end < source.length) end += (source.codePointAt(end) > 0xffff ? 2 : 1);
    const msg = String(e.message).replace(/\s*\(\d+:\d+\)$/, '');
    throw new CompileError('SyntaxError: ' + msg, 'SyntaxError', pos.range(e.pos, end));
  }
}


// --- phase 1: what is traced, and which bindings each trace point sees -------------

function keyName(key, computed) {
  if (!computed && t.isIdentifier(key)) return key.name;
  if (t.isStringLiteral(key) || t.isNumericLiteral(key)) return String(key.value);
  if (t.isPrivateName(key)) return '#' + key.id.name;
  return null;
}

function functionName(path) {
  const n = path.node, p = path.parent;
  if (n.generator || n.async) return null;   // their call/return semantics do not map onto CALL/RETURN
  if (t.isFunctionDeclaration(n)) return n.id ? n.id.name : null;
  if (t.isClassMethod(n) || t.isObjectMethod(n) || t.isClassPrivateMethod(n)) {
    return n.kind === 'get' || n.kind === 'set' ? null : keyName(n.key, n.computed);
  }
  if (t.isVariableDeclarator(p) && p.init === n && t.isIdentifier(p.id)) return p.id.name;
  if (t.isAssignmentExpression(p) && p.right === n) {
    if (t.isIdentifier(p.left)) return p.left.name;
    if (t.isMemberExpression(p.left)) return keyName(p.left.property, p.left.computed);
    return null;
  }
  if ((t.isObjectProperty(p) || t.isClassProperty(p)) && p.value === n) return keyName(p.key, p.computed);
  return null;
}

function paramNames(fn) {
  const names = [];
  for (const p of fn.params) {
    for (const name of Object.keys(t.getBindingIdentifiers(p))) if (!names.includes(name)) names.push(name);
  }
  return names;
}

function declarationEnd(binding) {
  const n = binding.path.node;
  if (binding.kind === 'param' || t.isCatchClause(n)) return -1;
  if (t.isVariableDeclarator(n) || t.isFunctionDeclaration(n) || t.isClassDeclaration(n)) return n.end;
  return binding.identifier.end;
}

// Bindings of the current function visible at UTF-16 position `p` from `scope`,
// in declaration order. A let/const/class (and, for comparability with Python's
// "unbound until assigned", a var) counts from the end of its declarator; one not
// yet declared also hides outer bindings of the same name (referencing it would
// hit the TDZ).
function visibleNames(scope, p, fnNode) {
  const seen = new Set();
  const out = [];
  for (let s = scope; s; s = s.parent) {
    for (const name of Object.keys(s.bindings)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const b = s.bindings[name];
      if (b.kind === 'local' || b.kind === 'module' || b.kind === 'unknown' || name.startsWith('__egca$')) continue;
      if (t.isProgram(s.path.node) && (b.kind === 'hoisted' || t.isClassDeclaration(b.path.node))) continue;
      if (declarationEnd(b) > p) continue;
      out.push({ name, at: b.identifier.start });
    }
    if (s.path.node === fnNode) break;
  }
  out.sort((a, b) => a.at - b.at);
  return out.map((o) => o.name);
}

const SIMPLE = new Set(['ExpressionStatement', 'VariableDeclaration', 'ReturnStatement', 'BreakStatement',
  'ContinueStatement', 'ThrowStatement']);
const COMPOUND = new Set(['IfStatement', 'WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForOfStatement',
  'ForInStatement', 'SwitchStatement']);

function collect(ast, pos, program = false) {
  const src = pos.source;
  const fns = [];          // {name, range, params}
  const points = [];       // {range, branchRange, kind, names}
  const fnInfo = new Map();     // function node -> {fid, bodyPid}
  const pointOf = new Map();    // statement / conditional node -> pid
  const header = (start, bodyStart) => pos.range(start, pos.trimmedEnd(start, bodyStart));

  function addPoint(range, names, branchRange = null, kind = '') {
    points.push({ range, names, branchRange, kind });
    return points.length - 1;
  }
  function tracedFn(path) {
    const fn = path.getFunctionParent();
    if (!fn && program) return ast.program;      // program tests: the top level is traced too
    return fn && fnInfo.has(fn.node) ? fn.node : null;
  }
  if (program) {
    fnInfo.set(ast.program, { fid: fns.length, bodyPid: -1 });
    fns.push({ name: '<module>', range: null, params: [] });
  }

  traverse(ast, {
    Function(path) {
      const outer = path.parentPath.getFunctionParent();
      if (outer && !fnInfo.has(outer.node)) return;     // inside a lambda: not traced
      const name = functionName(path);
      if (name === null) return;
      const n = path.node;
      let start = n.start;
      const p = path.parent;
      if (t.isVariableDeclarator(p)) {
        const decl = path.parentPath.parent;
        start = t.isVariableDeclaration(decl) && decl.declarations.length === 1 ? decl.start : p.start;
      } else if (t.isAssignmentExpression(p) || t.isObjectProperty(p) || t.isClassProperty(p)) start = p.start;
      const fid = fns.length;
      fns.push({ name, range: header(start, n.body.start), params: paramNames(n) });
      const info = { fid, bodyPid: -1 };
      fnInfo.set(n, info);
      if (!t.isBlockStatement(n.body)) {
        // An expression body is the function's return statement.
        info.bodyPid = addPoint(pos.range(n.body.start, n.body.end), visibleNames(path.scope, n.body.start, n));
      }
    },
    Statement(path) {
      const n = path.node;
      if (!SIMPLE.has(n.type) && !COMPOUND.has(n.type)) return;
      if (n.type === 'VariableDeclaration' && (t.isFor(path.parent) && path.parent.body !== n)) return;
      if (n.type === 'ForOfStatement' && n.await) return;
      const fnNode = tracedFn(path);
      if (!fnNode) return;
      let pid;
      switch (n.type) {
        case 'IfStatement':
          pid = addPoint(header(n.start, n.consequent.start), visibleNames(path.scope, n.start, fnNode),
            pos.range(n.test.start, n.test.end), 'if');
          break;
        case 'WhileStatement':
          pid = addPoint(header(n.start, n.body.start), visibleNames(path.scope, n.start, fnNode),
            pos.range(n.test.start, n.test.end), 'while');
          break;
        case 'DoWhileStatement': {
          let w = src.indexOf('while', n.body.end);
          if (w < 0 || w > n.end) w = n.body.end;
          pid = addPoint(pos.range(w, pos.trimmedEnd(w, n.end)), visibleNames(path.scope, n.start, fnNode),
            pos.range(n.test.start, n.test.end), 'while');
          break;
        }
        case 'ForStatement': {
          const at = n.test ? n.test.start : n.body.start;
          const hdr = header(n.start, n.body.start);
          pid = addPoint(hdr, visibleNames(path.scope, at, fnNode),
            n.test ? pos.range(n.test.start, n.test.end) : hdr, 'for');
          break;
        }
        case 'ForOfStatement':
        case 'ForInStatement': {
          // The header STEP is emitted at the start of the body, inside the body's scope.
          const bodyScope = t.isBlockStatement(n.body) ? path.get('body').scope : path.scope;
          const hdr = header(n.start, n.body.start);
          pid = addPoint(hdr, visibleNames(bodyScope, n.body.start, fnNode), hdr, 'for');
          break;
        }
        case 'SwitchStatement': {
          let close = src.indexOf(')', n.discriminant.end);
          if (close < 0 || close > n.end) close = n.discriminant.end; else close += 1;
          pid = addPoint(pos.range(n.start, close), visibleNames(path.scope, n.start, fnNode));
          break;
        }
        default:
          pid = addPoint(pos.range(n.start, n.end), visibleNames(path.scope, n.end, fnNode));
      }
      pointOf.set(n, pid);
    },
    ConditionalExpression(path) {
      if (!tracedFn(path)) return;
      const n = path.node;
      pointOf.set(n, addPoint(pos.range(n.test.start, n.test.end), [], pos.range(n.test.start, n.test.end), 'ternary'));
    },
  });
  return { fns, points, fnInfo, pointOf };
}

// --- phase 2: rewrite the tree ---------------------------------------------------

const id = (name) => t.identifier(name);
const num = (n) => t.numericLiteral(n);
const tcall = (method, args) => t.callExpression(t.memberExpression(id(T), id(method)), args);
const names = (pid, points) => t.arrayExpression(points[pid].names.map(id));
const setS = (pid) => t.expressionStatement(t.assignmentExpression('=', id(S), num(pid)));
const withS = (pid, expr) => t.sequenceExpression([t.assignmentExpression('=', id(S), num(pid)), expr]);

const STATEMENT_LISTS = { BlockStatement: 'body', SwitchCase: 'consequent', StaticBlock: 'body' };
const SINGLE_POSITIONS = {
  IfStatement: ['consequent', 'alternate'], WhileStatement: ['body'], DoWhileStatement: ['body'],
  ForStatement: ['body'], ForOfStatement: ['body'], ForInStatement: ['body'], LabeledStatement: ['body'],
  WithStatement: ['body'],
};

function rewrite(ast, info) {
  const { points, fnInfo, pointOf } = info;

  function walk(node, traced) {
    if (!node || typeof node.type !== 'string') return node;
    if (t.isFunction(node)) return rewriteFunction(node);
    if (traced && t.isConditionalExpression(node) && pointOf.has(node)) {
      walkChildren(node, traced);
      node.test = tcall('t', [id(F), num(pointOf.get(node)), node.test]);
      return node;
    }
    walkChildren(node, traced);
    return node;
  }

  function walkChildren(node, traced) {
    const listKey = traced ? STATEMENT_LISTS[node.type] : undefined;
    const singles = traced ? SINGLE_POSITIONS[node.type] : undefined;
    for (const key of t.VISITOR_KEYS[node.type] || []) {
      const child = node[key];
      if (Array.isArray(child)) {
        node[key] = key === listKey ? rewriteList(child) : child.map((c) => walk(c, traced));
      } else if (child && typeof child.type === 'string') {
        if (singles && singles.includes(key) && node.type !== 'LabeledStatement') {
          const r = rewriteStatement(child);
          node[key] = r.pre.length || r.post.length ? t.blockStatement([...r.pre, r.node, ...r.post]) : r.node;
        } else if (node.type === 'LabeledStatement' && key === 'body') {
          node[key] = child;   // handled by rewriteStatement of the label
        } else {
          node[key] = walk(child, traced);
        }
      }
    }
  }

  function rewriteList(stmts) {
    const out = [];
    for (const s of stmts) {
      const r = rewriteStatement(s);
      out.push(...r.pre, r.node, ...r.post);
    }
    return out;
  }

  // Returns {pre, node, post}: statements to put before / after the rewritten node.
  function rewriteStatement(n) {
    if (n.type === 'LabeledStatement') {
      // Prefixes go before the label, so `continue label` still names a loop.
      const r = rewriteStatement(n.body);
      n.body = r.node;
      return { pre: r.pre, node: n, post: r.post };
    }
    if (t.isFunction(n)) return { pre: [], node: rewriteFunction(n), post: [] };   // a declaration in a body
    walkChildren(n, true);
    const pid = pointOf.get(n);
    if (pid === undefined) return { pre: [], node: n, post: [] };
    const vals = names(pid, points);
    switch (n.type) {
      case 'ExpressionStatement':
      case 'VariableDeclaration':
        return { pre: [setS(pid)], node: n, post: [t.expressionStatement(tcall('s', [id(F), num(pid), vals]))] };
      case 'ReturnStatement':
        n.argument = tcall('r', [id(F), num(pid), n.argument || id('undefined'), vals]);
        return { pre: [setS(pid)], node: n, post: [] };
      case 'BreakStatement':
      case 'ContinueStatement':
        return { pre: [setS(pid), t.expressionStatement(tcall('s', [id(F), num(pid), vals]))], node: n, post: [] };
      case 'ThrowStatement':
        return { pre: [setS(pid)], node: n, post: [] };
      case 'IfStatement':
        n.test = tcall('b', [id(F), num(pid), n.test, vals]);
        return { pre: [setS(pid)], node: n, post: [] };
      case 'WhileStatement':
      case 'DoWhileStatement':
        n.test = withS(pid, tcall('b', [id(F), num(pid), n.test, vals]));
        return { pre: [], node: n, post: [] };
      case 'ForStatement':
        n.test = withS(pid, tcall('b', [id(F), num(pid), n.test || t.booleanLiteral(true), vals]));
        return { pre: [setS(pid)], node: n, post: [] };
      case 'ForOfStatement':
      case 'ForInStatement': {
        const right = n.type === 'ForInStatement' ? tcall('keys', [n.right]) : n.right;
        const head = [setS(pid), t.expressionStatement(tcall('h', [id(F), num(pid), vals]))];
        const body = t.isBlockStatement(n.body) ? n.body : t.blockStatement([n.body]);
        body.body.unshift(...head);
        const loop = t.forOfStatement(n.left, tcall('it', [id(F), num(pid), right]), body);
        return { pre: [setS(pid)], node: loop, post: [] };
      }
      case 'SwitchStatement':
        n.discriminant = tcall('sw', [id(F), num(pid), n.discriminant, vals]);
        return { pre: [setS(pid)], node: n, post: [] };
      default:
        return { pre: [], node: n, post: [] };
    }
  }

  function rewriteFunction(fn) {
    const fi = fnInfo.get(fn);
    // Parameters (default values) are not traced; a lambda's body is part of its statement.
    fn.params = fn.params.map((p) => walk(p, false));
    if (!fi) {
      fn.body = walk(fn.body, false);
      return fn;
    }
    let body;
    let directives = [];
    if (t.isBlockStatement(fn.body)) {
      directives = fn.body.directives;
      body = rewriteList(fn.body.body);
    } else {
      const expr = walk(fn.body, true);
      const pid = fi.bodyPid;
      body = [setS(pid), t.returnStatement(tcall('r', [id(F), num(pid), expr, names(pid, points)]))];
      fn.expression = false;
    }
    const args = t.arrayExpression(paramNames(fn).map(id));
    fn.body = t.blockStatement([
      t.variableDeclaration('const', [t.variableDeclarator(id(F), tcall('c', [num(fi.fid), args]))]),
      t.variableDeclaration('let', [t.variableDeclarator(id(S), num(-1))]),
      t.tryStatement(
        t.blockStatement([...body, t.expressionStatement(tcall('rn', [id(F)]))]),
        t.catchClause(id(E), t.blockStatement([
          t.expressionStatement(tcall('x', [id(F), id(S), id(E)])),
          t.throwStatement(id(E)),
        ])),
        t.blockStatement([t.expressionStatement(tcall('o', [id(F)]))]),
      ),
    ], directives);
    return fn;
  }

  const top = fnInfo.get(ast.program);
  if (top === undefined) {
    for (let i = 0; i < ast.program.body.length; i++) ast.program.body[i] = walk(ast.program.body[i], false);
    return;
  }
  // Program tests: the top level is a traced frame of its own ("<module>"), like a function body.
  ast.program.body = [
    t.variableDeclaration('const', [t.variableDeclarator(id(F), tcall('c', [num(top.fid), t.arrayExpression([])]))]),
    t.variableDeclaration('let', [t.variableDeclarator(id(S), num(-1))]),
    t.tryStatement(
      t.blockStatement([...rewriteList(ast.program.body), t.expressionStatement(tcall('rn', [id(F)]))]),
      t.catchClause(id(E), t.blockStatement([
        t.expressionStatement(tcall('x', [id(F), id(S), id(E)])),
        t.throwStatement(id(E)),
      ])),
      t.blockStatement([t.expressionStatement(tcall('o', [id(F)]))]),
    ),
  ];
}

// A table of ranges, each kept once; RANGE references are indices into it.
class RangeTable {
  constructor() { this.ranges = []; this.index = new Map(); }
  ref(r) {
    if (!r) return null;
    const key = r.join(',');
    let i = this.index.get(key);
    if (i === undefined) { i = this.ranges.length; this.ranges.push(r); this.index.set(key, i); }
    return i;
  }
}

// Instrument `source` for Trace; throws CompileError when it does not parse. Returns the
// code to run and the tables the child's tracer needs: the ranges, each traced function
// [name, range, params] and each trace point [range, branch range, branch kind, names].
function instrument(source, program = false) {
  const pos = new Positions(source);
  const ast = parse(source, pos);
  const info = collect(ast, pos, program);
  rewrite(ast, info);
  const code = generate(ast, { comments: false, jsescOption: { minimal: true } }).code;
  const table = new RangeTable();
  return {
    code,
    fns: info.fns.map((f) => [f.name, table.ref(f.range), f.params]),
    points: info.points.map((p) => [table.ref(p.range), table.ref(p.branchRange || p.range), p.kind, p.names]),
    ranges: table.ranges,
  };
}

// Check that `source` parses (throws CompileError) and return what a Run needs: the
// statement table (an error's line and column in the program -> the statement it lies
// in; compound statements cut to their header before their body) and the names the
// program declares at top level.
function check(source) {
  const pos = new Positions(source);
  const ast = parse(source, pos);
  const table = new RangeTable();
  const stmts = [];   // [start, end, body start or -1, range, header range] (UTF-16 offsets)
  const bodyOf = { IfStatement: 'consequent', WhileStatement: 'body', ForStatement: 'body', ForOfStatement: 'body',
    ForInStatement: 'body', FunctionDeclaration: 'body', ClassDeclaration: 'body' };
  traverse(ast, {
    Statement(path) {
      const n = path.node;
      if (t.isBlockStatement(n) || t.isProgram(n)) return;
      const body = n[bodyOf[n.type]];
      stmts.push([n.start, n.end, body ? body.start : -1, table.ref(pos.range(n.start, n.end)),
        body ? table.ref(pos.range(n.start, pos.trimmedEnd(n.start, body.start))) : null]);
    },
    noScope: true,
  });
  const names = [];
  for (const n of ast.program.body) {
    if ((t.isFunctionDeclaration(n) || t.isClassDeclaration(n)) && n.id) names.push(n.id.name);
    else if (t.isVariableDeclaration(n)) {
      for (const d of n.declarations) names.push(...Object.keys(t.getBindingIdentifiers(d.id)));
    }
  }
  return { ranges: table.ranges, stmts, names };
}

module.exports = { instrument, check, CompileError };
