'use strict';
// Spawns the sandboxed child (child.js) for one job: bubblewrap (new net, pid,
// ipc, uts namespaces, read-only root, private /tmp, a fresh scratch dir as the
// only writable place and cwd), a dedicated unprivileged uid per concurrent
// sandbox (so the process limit counts this sandbox only), rlimits through
// prlimit, V8's heap cap, a wall-clock timeout that kills the whole sandbox, and
// capped stdout/stderr. Results come back on fd 3 as token-prefixed JSON lines.

const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CHILD = path.join(__dirname, 'child.js');
const MiB = 1024 * 1024;

// Limits semantics as in proto Limits: zero means this default.
const DEFAULT_LIMITS = Object.freeze({
  timeout_s: 10,
  memory_bytes: 2048 * MiB,   // address space (at least 1 GiB for V8); the JS heap gets half
  max_output_bytes: 64 * 1024,
  max_events: 100000,
  max_processes: 64,          // node itself runs ~10 threads, which count as processes
  max_open_files: 64,
  max_file_bytes: 16 * MiB,
  cpu_s: 0,                   // 0: derived from the timeout
});
const MAX_TIMEOUT_S = 600;
// The child stops a test itself at the deadline and reports TIMEOUT; the hard
// kill comes this much later, for code V8 cannot interrupt.
const KILL_GRACE_MS = 2000;
// Results channel cap: events are capped in the child, so more than this is abuse.
const MAX_CHANNEL_BYTES = 256 * MiB;
const MIN_ADDRESS_SPACE = 1024 * MiB;
const UID_BASE = 61000;
const UID_SLOTS = 1000;

function effectiveLimits(limits) {
  const l = {};
  for (const [k, d] of Object.entries(DEFAULT_LIMITS)) {
    const v = limits && limits[k] !== undefined ? Number(limits[k]) : 0;
    l[k] = v > 0 ? v : d;
  }
  if (!l.cpu_s) l.cpu_s = Math.ceil(l.timeout_s) + 1;
  return l;
}

function validateLimits(limits) {
  if (!limits) return null;
  for (const k of Object.keys(DEFAULT_LIMITS)) {
    const v = Number(limits[k] || 0);
    if (!Number.isFinite(v) || v < 0) return `limits.${k} must be a non-negative number`;
  }
  if (Number(limits.timeout_s || 0) > MAX_TIMEOUT_S) return `limits.timeout_s must be at most ${MAX_TIMEOUT_S}`;
  return null;
}

// What isolation this machine gives, probed once at start-up.
function probeIsolation() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  const iso = { bwrap: false, setpriv: isRoot && has('setpriv'), prlimit: has('prlimit') };
  if (has('bwrap')) {
    const probe = spawnSync('bwrap', [...bwrapArgs('/tmp', false), 'true'], { stdio: 'pipe', timeout: 10000 });
    iso.bwrap = probe.status === 0;
    if (!iso.bwrap) iso.bwrapError = String(probe.stderr || '').trim();
  }
  iso.names = [];
  if (iso.bwrap) iso.names.push('bwrap', 'netns', 'pidns', 'ro-root', 'private-tmp');
  if (iso.setpriv) iso.names.push('uid-per-sandbox');
  if (iso.prlimit) iso.names.push('rlimits');
  iso.names.push('process-group-timeout', 'output-caps');
  return iso;
}

// The sandbox's root: read-only system directories, Node's own install and this runtime
// (child.js and its node_modules), nothing else of the host (no checkout, no datasets, no
// home directories). Mounted after the private /tmp, so a checkout under /tmp still works.
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];
const RUNTIME_DIR = path.resolve(__dirname, '..');
const NODE_PREFIX = path.resolve(path.dirname(fs.realpathSync(process.execPath)), '..');

function bwrapArgs(scratch, withScratch = true) {
  const args = [];
  for (const dir of SYSTEM_DIRS) if (fs.existsSync(dir)) args.push('--ro-bind', dir, dir);
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  for (const dir of [NODE_PREFIX, RUNTIME_DIR]) {
    if (SYSTEM_DIRS.some((s) => dir === s || dir.startsWith(s + '/'))) continue;
    // bwrap would create the missing parents private (0700): the sandbox's uid could not pass.
    const parents = [];
    for (let p = path.dirname(dir); p !== '/' && p !== '/tmp'; p = path.dirname(p)) parents.unshift(p);
    for (const p of parents) args.push('--perms', '0755', '--dir', p);
    args.push('--ro-bind', dir, dir);
  }
  args.push('--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    '--die-with-parent', '--new-session');
  if (withScratch) args.push('--bind', scratch, scratch, '--chdir', scratch);
  return args;
}

let nextSlot = 0;
const busySlots = new Set();

function takeSlot() {
  for (let i = 0; i < UID_SLOTS; i++) {
    const s = (nextSlot + i) % UID_SLOTS;
    if (!busySlots.has(s)) {
      busySlots.add(s);
      nextSlot = s + 1;
      return s;
    }
  }
  throw new Error('no free sandbox uid slot');
}

// Runs `job` (see child.js) under `limits`. `onLine(obj)` receives each verified
// result line as it arrives. Resolves with what happened to the process.
// `ctl.kill()` is set while the child runs (for cancelled calls).
function runSandboxed(iso, job, limits, onLine, ctl = {}) {
  const l = effectiveLimits(limits);
  const token = crypto.randomBytes(12).toString('hex');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'egca-js-'));
  const slot = iso.setpriv ? takeSlot() : -1;
  const uid = UID_BASE + slot;
  if (slot >= 0) fs.chownSync(scratch, uid, uid);

  // V8 cannot start in less than ~1 GiB of address space (it reserves its code range
  // up front), so the address-space limit has that floor and the requested memory
  // also caps the JavaScript heap, at half of it.
  const heapMiB = Math.max(32, Math.floor(l.memory_bytes / 2 / MiB));
  const addressSpace = Math.max(l.memory_bytes, MIN_ADDRESS_SPACE);
  const nodeArgv = [process.execPath, `--max-old-space-size=${heapMiB}`, '--stack-size=984', CHILD];
  let argv = nodeArgv;
  if (iso.prlimit) {
    argv = ['prlimit', `--as=${Math.floor(addressSpace)}`, `--cpu=${Math.ceil(l.cpu_s)}`,
      `--fsize=${Math.floor(l.max_file_bytes)}`, `--nproc=${Math.floor(l.max_processes)}`,
      `--nofile=${Math.floor(l.max_open_files)}`, '--core=0', '--', ...argv];
  }
  if (slot >= 0) {
    argv = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all',
      '--bounding-set=-all', ...argv];
  }
  if (iso.bwrap) argv = ['bwrap', ...bwrapArgs(scratch), ...argv];

  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: scratch, TMPDIR: scratch, LANG: 'C.UTF-8', NODE_OPTIONS: '' };
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: scratch, env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    let output = Buffer.alloc(0);
    let outputTruncated = false;
    let timedOut = false;
    let abuse = null;
    let hello = false;
    let channelBytes = 0;
    let pending = '';
    let spawnError = null;

    const kill = () => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* already gone */ }
    };
    ctl.kill = () => { abuse = abuse || 'cancelled'; kill(); };
    const timer = setTimeout(() => { timedOut = true; kill(); }, l.timeout_s * 1000 + KILL_GRACE_MS);

    const keep = (chunk) => {
      const room = l.max_output_bytes - output.length;
      if (room <= 0) { outputTruncated = outputTruncated || chunk.length > 0; return; }
      if (chunk.length > room) outputTruncated = true;
      output = Buffer.concat([output, chunk.subarray(0, room)]);
    };
    let stderrTail = '';   // kept apart from the capped output: it says why a child died
    child.stdout.on('data', keep);
    child.stderr.on('data', (chunk) => {
      keep(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    child.stdio[3].on('data', (chunk) => {
      channelBytes += chunk.length;
      if (channelBytes > MAX_CHANNEL_BYTES) { abuse = 'result channel flooded'; kill(); return; }
      pending += chunk.toString('utf8');
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.startsWith(token + ' ')) continue;   // not from our child code: ignored
        let obj;
        try { obj = JSON.parse(line.slice(token.length + 1)); } catch (e) { continue; }
        if (obj && obj.t === 'hello') { hello = true; continue; }
        onLine(obj);
      }
    });
    child.stdio[3].on('error', () => {});
    child.stdin.on('error', () => {});
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (slot >= 0) busySlots.delete(slot);
      fs.rm(scratch, { recursive: true, force: true }, () => {});
      const text = output.toString('utf8');
      resolve({
        code, signal, timedOut, abuse, hello, spawnError,
        output: text, outputTruncated,
        wall_s: Number(process.hrtime.bigint() - started) / 1e9,
        stderrTail,
        outOfMemory: /heap out of memory|Fatal process out of memory|Cannot allocate memory|Allocation failed|RangeError: Array buffer allocation failed/i.test(stderrTail),
        cpuExceeded: signal === 'SIGXCPU',
      });
    });
    child.stdin.end(JSON.stringify(Object.assign({ token, timeoutMs: Math.floor(l.timeout_s * 1000) }, job)));
  });
}

module.exports = { runSandboxed, probeIsolation, effectiveLimits, validateLimits, DEFAULT_LIMITS };
