"""Headless Chromium driven over the DevTools protocol (`--remote-debugging-pipe`:
JSON messages on file descriptors 3 and 4, so nothing but the standard library).

Used by the report's browser tests to load a page, query the DOM after its scripts
ran, hover and click, record every network request, and take screenshots:

    with Chromium() as browser:
        browser.open(Path("out.html").resolve().as_uri())
        browser.evaluate("document.querySelector('mark.hl-span').textContent")
        browser.screenshot("out.png")

The binary: $EGCA_CHROMIUM, else `chromium` (Debian's package), `chromium-browser`,
`google-chrome` on PATH.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe"]


def find_chromium() -> str | None:
    for candidate in (os.environ.get("EGCA_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


class BrowserError(RuntimeError):
    pass


class Chromium:
    def __init__(self, binary: str | None = None, width: int = 1400, height: int = 900, timeout_s: float = 120.0):
        self.binary = binary or find_chromium()
        if self.binary is None:
            raise BrowserError("no Chromium found: install it (apt-get install chromium) or set EGCA_CHROMIUM")
        self.width, self.height, self.timeout_s = width, height, timeout_s
        self.profile = tempfile.mkdtemp(prefix="egca-chromium-")
        self.requests: list[str] = []          # URLs the page asked for (Network.requestWillBeSent)
        self.console: list[str] = []           # console messages and uncaught exceptions
        self._next_id = 0
        self._pending: dict[int, dict] = {}
        self._events: list[dict] = []
        self._cond = threading.Condition()
        self._closed = False
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Chromium reads our commands on its fd 3 and writes its replies on fd 4. The child's
        # ends move above 9 first, so that remapping them onto 3 and 4 cannot clobber either.
        child_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_chrome_r, from_chrome_w):
            os.close(fd)
        wrapper = f'exec "$0" "$@" 3<&{child_r} 4>&{child_w} {child_r}<&- {child_w}>&-'
        try:
            self.proc = subprocess.Popen(
                ["/bin/bash", "-c", wrapper, self.binary, *FLAGS, f"--user-data-dir={self.profile}",
                 f"--window-size={width},{height}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                pass_fds=(child_r, child_w))
        finally:
            os.close(child_r)
            os.close(child_w)
        self._out = os.fdopen(to_chrome_w, "wb", buffering=0)
        self._in = os.fdopen(from_chrome_r, "rb", buffering=0)
        self._stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Network"):
                self.call(f"{domain}.enable", session=True)
            self.set_viewport(width, height)
        except Exception:
            self.close()
            raise

    # --- protocol --------------------------------------------------------------------------
    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = self._in.read(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._closed = True
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self._cond:
                    if "id" in msg:
                        self._pending[msg["id"]] = msg
                    else:
                        self._on_event(msg)
                        self._events.append(msg)
                    self._cond.notify_all()

    def _drain_stderr(self) -> None:
        for line in self.proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-50]

    def _on_event(self, msg: dict) -> None:
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.console.append("exception: " + str(d.get("exception", {}).get("description") or d.get("text")))

    def call(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        with self._cond:
            self._next_id += 1
            mid = self._next_id
        msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self._out.write(json.dumps(msg).encode() + b"\0")
        with self._cond:
            if not self._cond.wait_for(lambda: mid in self._pending or self._closed, timeout=self.timeout_s):
                raise BrowserError(f"{method}: no answer from Chromium in {self.timeout_s:.0f} s")
            if mid not in self._pending:
                raise BrowserError(f"{method}: Chromium exited: {b''.join(self._stderr).decode(errors='replace')[-2000:]}")
            reply = self._pending.pop(mid)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, since: int = 0) -> dict:
        with self._cond:
            ok = self._cond.wait_for(lambda: any(e.get("method") == method for e in self._events[since:])
                                     or self._closed, timeout=self.timeout_s)
            hit = next((e for e in self._events[since:] if e.get("method") == method), None)
        if not ok or hit is None:
            raise BrowserError(f"no {method} from Chromium")
        return hit

    # --- page ----------------------------------------------------------------------------------
    def set_viewport(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    def open(self, url: str) -> None:
        """Navigate and wait for the load event and for the page's script to say it is ready
        (html[data-ready]); pages without that flag are ready at load."""
        with self._cond:
            since = len(self._events)
        reply = self.call("Page.navigate", {"url": url}, session=True)
        if reply.get("errorText"):
            raise BrowserError(f"cannot open {url}: {reply['errorText']}")
        self.wait_event("Page.loadEventFired", since)
        self.evaluate("new Promise(r => { const t = () => (document.documentElement.dataset.ready || "
                      "!document.querySelector('script')) ? r(true) : setTimeout(t, 20); t(); })")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        reply = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                          session=True)
        if "exceptionDetails" in reply:
            d = reply["exceptionDetails"]
            raise BrowserError(f"JavaScript error: {d.get('exception', {}).get('description') or d.get('text')}")
        return reply.get("result", {}).get("value")

    def hover(self, selector: str) -> None:
        """Move the mouse over the centre of the first element matching `selector`."""
        box = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
                            "if (!e) return null; e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
                            "return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        if box is None:
            raise BrowserError(f"nothing matches {selector}")
        self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": box[0], "y": box[1]}, session=True)

    def screenshot(self, path: str | Path, full_page: bool = True, max_height: int = 12000) -> Path:
        """A PNG of the page (the whole page unless full_page is False)."""
        clip = None
        self.evaluate("window.scrollTo(0, 0)")   # sticky headers are drawn where the scroll puts them
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            clip = {"x": 0, "y": 0, "width": max(self.width, size[0]), "height": min(size[1], max_height), "scale": 1}
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if clip:
            params["clip"] = clip
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            if self.proc.poll() is None and not self._closed:
                try:
                    self._out.write(json.dumps({"id": 10 ** 9, "method": "Browser.close"}).encode() + b"\0")
                except OSError:
                    pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        finally:
            for f in (self._out, self._in):
                try:
                    f.close()
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
