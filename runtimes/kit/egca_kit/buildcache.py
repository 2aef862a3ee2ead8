"""Builds of compiled languages, made once and reused: an LRU cache whose entries are built
once even when several runs ask for the same one at the same time (a GRPO group is often
many copies of one completion), and an atomic install of a build's executable.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable

from egca_kit.errors import SandboxError


class BuildCache:
    """Up to `size` builds by key, least recently used evicted first (`on_evict(build)` then
    removes what the build left on disk). `get(key, make)` returns the cached build, waits
    for one being made by another thread, or makes it; a `make` that raises is not cached
    and every waiter gets its exception."""

    def __init__(self, size: int, on_evict: Callable[[Any], None] | None = None):
        self.size = size
        self.on_evict = on_evict
        self._lock = threading.Lock()
        self._done: OrderedDict[str, Any] = OrderedDict()
        self._making: dict[str, Future] = {}

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            pending = self._making.get(key)
            if pending is None:
                self._making[key] = mine = Future()
        if pending is not None:
            return pending.result()
        try:
            build = make()
        except BaseException as e:
            with self._lock:
                del self._making[key]
            mine.set_exception(e)
            raise
        evicted = []
        with self._lock:
            del self._making[key]
            self._done[key] = build
            while len(self._done) > self.size:
                evicted.append(self._done.popitem(last=False)[1])
        mine.set_result(build)
        if self.on_evict is not None:
            for old in evicted:
                self.on_evict(old)
        return build


def install(directory: str, name: str, data: bytes, mode: int) -> str:
    """Write `data` as directory/name with `mode`, atomically: a reader sees the whole file
    or none, and two threads installing the same name do not collide."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        path = os.path.join(directory, name)
        os.replace(tmp, path)
        return path
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclass(frozen=True)
class Installed:
    """A build that is an executable installed on the host (`install`)."""
    path: str


@dataclass(frozen=True)
class Failed:
    """A build that did not compile: the compiler's diagnostics, kept as text so each program
    that shares the build locates them in its own source."""
    stderr: str
    timed_out: bool = False


def digest(text: str) -> str:
    """A cache key's hash of a source text (any text a str can hold)."""
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def install_result(res, directory: str, name: str, compiler: str) -> Installed | Failed:
    """A sandboxed `compile && cat executable` run (egca_kit.sandbox.SandboxResult) as a build:
    the executable installed execute-only (0111) as directory/name, or the compiler's failure.
    A compiler that fails without saying why is the infrastructure's fault (SandboxError)."""
    if res.returncode == 0 and res.stdout:
        return Installed(install(directory, name, res.stdout, 0o111))
    if res.timed_out:
        return Failed("", timed_out=True)
    if not res.stderr.strip():
        raise SandboxError(f"{compiler} ended without a diagnostic (exit {res.returncode})")
    return Failed(res.stderr.decode("utf-8", "replace"))


def remove_installed(build: Any) -> None:
    """`on_evict` for caches holding `Installed` builds: the executable goes with its entry."""
    if isinstance(build, Installed):
        try:
            os.unlink(build.path)
        except OSError:
            pass
