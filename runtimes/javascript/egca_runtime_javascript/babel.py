"""The trusted Babel helpers: persistent `node src/babel_helper.js` processes that parse and
instrument program text (they never run it), outside the sandbox.

Why here and not in the sandboxed child: loading Babel costs a Node process ~0.4 s of CPU;
a helper pays it once, then a check takes ~1 ms and an instrumentation ~5-10 ms. Results
are cached per program text (a group's reference and its repeated candidates come back).
"""

from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import threading
from collections import OrderedDict

from egca_kit.errors import SandboxError
from egca_kit.tracer import CompileFailed

log = logging.getLogger(__name__)
REQUEST_TIMEOUT_S = 60.0
CACHE_ENTRIES = 512


class _Helper:
    def __init__(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                                     env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODE_OPTIONS": ""})
        self.next_id = 0

    def ask(self, op: str, source: str) -> dict:
        self.next_id += 1
        line = json.dumps({"id": self.next_id, "op": op, "source": source}) + "\n"
        self.proc.stdin.write(line.encode("utf-8", "surrogatepass"))
        self.proc.stdin.flush()
        fd = self.proc.stdout.fileno()
        if not select.select([fd], [], [], REQUEST_TIMEOUT_S)[0]:
            raise TimeoutError(f"the Babel helper did not answer within {REQUEST_TIMEOUT_S:g}s")
        reply = self.proc.stdout.readline()
        if not reply:
            raise EOFError(f"the Babel helper exited ({self.proc.poll()})")
        out = json.loads(reply)
        if out.get("id") != self.next_id:
            raise ValueError("the Babel helper answered another request")
        return out

    def close(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass


class Babel:
    """A small pool of helpers (one per concurrent request, up to `size`), started lazily and
    replaced when one dies or hangs."""

    def __init__(self, argv: list[str], size: int = 2):
        self.argv = argv
        self.size = size
        self._idle: list[_Helper] = []
        self._made = 0
        self._cond = threading.Condition()
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()

    def _acquire(self) -> _Helper:
        with self._cond:
            while not self._idle and self._made >= self.size:
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            self._made += 1
        try:
            return _Helper(self.argv)
        except OSError as e:
            with self._cond:
                self._made -= 1
                self._cond.notify()
            raise SandboxError(f"cannot start the Babel helper {self.argv}: {e}") from e

    def _release(self, helper: _Helper, healthy: bool) -> None:
        with self._cond:
            if healthy:
                self._idle.append(helper)
            else:
                self._made -= 1
            self._cond.notify()
        if not healthy:
            helper.close()

    def request(self, op: str, source: str) -> dict:
        """The helper's result for `op` ("check" | "instrument"); raises CompileFailed when the
        program does not parse, SandboxError when the helper fails."""
        key = (op, source)
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
        if hit is None:
            helper = self._acquire()
            try:
                hit = helper.ask(op, source)
            except (OSError, ValueError, EOFError, TimeoutError) as e:
                self._release(helper, healthy=False)
                raise SandboxError(f"JavaScript Babel helper failed: {e}") from e
            self._release(helper, healthy=True)
            if "ok" in hit or hit.get("error", {}).get("kind") != "Internal":
                with self._cache_lock:
                    self._cache[key] = hit
                    while len(self._cache) > CACHE_ENTRIES:
                        self._cache.popitem(last=False)
        if "ok" in hit:
            return hit["ok"]
        err = hit.get("error") or {}
        if err.get("kind") == "Internal":
            raise SandboxError(f"JavaScript Babel helper failed: {err.get('msg', '')[:2000]}")
        loc = err.get("loc")
        raise CompileFailed(str(err.get("msg", "SyntaxError")), str(err.get("kind", "SyntaxError")),
                            loc if isinstance(loc, list) and len(loc) == 6 else None)

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
        for h in idle:
            h.close()
