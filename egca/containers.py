"""`egca runtimes build | up | down | status`: the engine and the language runtimes
as containers, through the Docker API (Docker, or Podman's Docker-compatible
socket: DOCKER_HOST=unix:///run/podman/podman.sock).

`up` starts, on one private network, N replicas of each runtime (all answering
to the DNS name `runtime-<language>`, which the engine's gRPC channels balance
over round-robin) and the engine, whose port is the only one published.

Every container runs as a non-root user on a read-only root with a tmpfs /tmp
(the sandbox's scratch area). For the sandbox inside a runtime container to get
its own network, pid and mount namespaces (bubblewrap in a user namespace), the
runtimes run with a seccomp profile that also allows sethostname
(deploy/seccomp/egca-runtime.json: Podman's default plus that) and with /proc
unmasked (the kernel refuses a fresh procfs in a namespace while paths of the
outer /proc are masked). No capability is granted; all are dropped.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from egca.errors import InfrastructureError
from egca_kit.healthcheck import image_command
from egca.plugin import available_adapters, get_adapter

ROOT = Path(__file__).resolve().parent.parent
NETWORK = "egca"
LABEL = "io.egca.component"          # engine | runtime-<language>
TAG = os.environ.get("EGCA_IMAGE_TAG", "dev")
SECCOMP_PROFILE = ROOT / "deploy" / "seccomp" / "egca-runtime.json"
ENGINE_PORT = 50051
TMPFS = {"/tmp": "rw,nosuid,nodev,size=512m,mode=1777"}


@dataclass(frozen=True)
class Component:
    name: str            # engine | a language (an installed adapter's name)
    image: str
    dockerfile: str      # relative to the repository root (the build context)
    port: int
    health: tuple[str, ...]   # the image's health-check command (also run by `status`)

    @property
    def ref(self) -> str:
        return f"{self.image}:{TAG}"

    @property
    def dns(self) -> str:
        return "engine" if self.name == "engine" else f"runtime-{self.name}"


def _runtime_images() -> dict:
    """language -> RuntimeImage, for every installed adapter that has one."""
    images = {lang: get_adapter(lang).runtime_image for lang in sorted(available_adapters())}
    return {lang: image for lang, image in images.items() if image is not None}


_IMAGES = _runtime_images()
# The engine, then one runtime per language whose adapter declares an image.
COMPONENTS = {
    "engine": Component("engine", "localhost/egca/engine", "deploy/engine.Dockerfile", ENGINE_PORT,
                        image_command(ENGINE_PORT)),
    **{lang: Component(lang, f"localhost/egca/runtime-{lang}", img.dockerfile, img.port, tuple(img.health))
       for lang, img in _IMAGES.items()},
}
RUNTIMES = tuple(_IMAGES)
# Local packages that go into the wheelhouse (the images install from it, offline): the
# runtime kit (every image's base), egca itself, then each runtime's and adapter's packages.
LOCAL_PACKAGES = ("runtimes/kit", ".", *dict.fromkeys(p for img in _IMAGES.values() for p in img.packages))
# Paths of the build context besides the wheelhouse, the protocol and the Dockerfiles.
CONTEXT_PATHS = tuple(dict.fromkeys(p for img in _IMAGES.values() for p in img.context))


def client():
    """A Docker API client (DOCKER_HOST, else the Docker socket, else Podman's root socket)."""
    try:
        import docker
    except ImportError as e:
        raise InfrastructureError("the `docker` package is needed: pip install 'egca[containers]'") from e
    if "DOCKER_HOST" not in os.environ and not os.path.exists("/var/run/docker.sock") \
            and os.path.exists("/run/podman/podman.sock"):
        os.environ["DOCKER_HOST"] = "unix:///run/podman/podman.sock"
    try:
        c = docker.from_env(timeout=900)
        c.ping()
    except Exception as e:
        raise InfrastructureError(f"no container engine at {os.environ.get('DOCKER_HOST', 'the default socket')}: {e} "
                                  "(start Docker, or `podman system service` and set DOCKER_HOST)") from e
    return c


def is_podman(c) -> bool:
    return any("podman" in comp.get("Name", "").lower() for comp in c.version().get("Components") or [])


# ---------------------------------------------------------------- build

def make_wheels(out: Path = ROOT / "build" / "wheels") -> Path:
    """The wheelhouse the images install from: the project's packages (built from
    copies, so no build/ directories land in the source tree) and their
    dependencies (pip's cache and the wheelhouse itself are reused)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="egca-wheels-") as tmp:
        srcs = []
        for rel in LOCAL_PACKAGES:
            dst = Path(tmp) / (rel.replace("/", "_").strip(".") or "egca")
            shutil.copytree(ROOT / rel, dst, ignore=shutil.ignore_patterns(
                "build", "*.egg-info", "__pycache__", ".venv", "node_modules", ".git", "runtimes", "adapters",
                "tests", "docs", "deploy", "tools", ".pytest_cache", "runs", "checkpoints") if rel == "." else
                shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "node_modules"))
            srcs.append(str(dst))
        for old in out.glob("egca*.whl"):     # our own wheels are always rebuilt
            old.unlink()
        cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-build-isolation",
               "--find-links", str(out), "-w", str(out), *srcs, "pip"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise InfrastructureError(f"pip wheel failed:\n{r.stderr[-3000:]}")
    return out


def _context() -> io.BytesIO:
    """The build context (what .dockerignore lets through, plus the Dockerfiles), as a tar."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for rel in ("build/wheels", "proto", *CONTEXT_PATHS, *(c.dockerfile for c in COMPONENTS.values())):
            tar.add(ROOT / rel, arcname=rel, filter=lambda ti: None if "__pycache__" in ti.name else ti)
    buf.seek(0)
    return buf


def build(names=None, log=print) -> dict[str, float]:
    """Build the images (all by default); returns seconds per image."""
    import docker

    c = client()
    names = list(names or COMPONENTS)
    t = time.monotonic()
    make_wheels()
    log(f"wheelhouse ready ({time.monotonic() - t:.1f}s)")
    took = {}
    for name in names:
        comp = COMPONENTS[name]
        t = time.monotonic()
        try:
            c.images.build(fileobj=_context(), custom_context=True, dockerfile=comp.dockerfile, tag=comp.ref, rm=True,
                           forcerm=True, labels={LABEL: comp.dns})
        except docker.errors.BuildError as e:
            tail = "".join(str(x.get("stream") or x.get("error") or "") for x in list(e.build_log)[-20:])
            raise InfrastructureError(f"building {comp.ref} failed: {e.msg}\n{tail}") from None
        took[name] = time.monotonic() - t
        log(f"built {comp.ref} ({took[name]:.1f}s)")
    return took


# ---------------------------------------------------------------- up / down / status

def _security_opts(c) -> list[str]:
    # Podman reads the profile from a path on its host; Docker wants the JSON itself.
    if is_podman(c):
        return ["no-new-privileges", f"seccomp={SECCOMP_PROFILE}", "unmask=/proc/*"]
    return ["no-new-privileges", "seccomp=" + SECCOMP_PROFILE.read_text(), "systempaths=unconfined"]


def _ensure_network(c):
    import docker

    try:
        return c.networks.get(NETWORK)
    except docker.errors.NotFound:
        return c.networks.create(NETWORK, driver="bridge", labels={LABEL: "network"})


def start_runtime(c, language: str, index: int):
    """Start one replica of a runtime on the private network (no published port)."""
    comp = COMPONENTS[language]
    name = f"egca-{comp.dns}-{index}"
    _remove(c, name)
    container = c.containers.create(
        comp.ref, name=name, hostname=name, labels={LABEL: comp.dns}, user="10001:10001", read_only=True,
        tmpfs=TMPFS, cap_drop=["ALL"], security_opt=_security_opts(c), mem_limit="2g", pids_limit=1024,
        environment={"TMPDIR": "/tmp"}, detach=True)
    # Attached with the alias after creation: the alias is what the engine resolves.
    c.networks.get(NETWORK).connect(container, aliases=[comp.dns])
    container.start()
    return container


def start_engine(c, port: int = ENGINE_PORT, host_ip: str = "127.0.0.1", workers: int | None = None):
    comp = COMPONENTS["engine"]
    _remove(c, "egca-engine")
    env = {f"EGCA_RUNTIME_{lang.upper()}": f"dns:///{COMPONENTS[lang].dns}:{COMPONENTS[lang].port}" for lang in RUNTIMES}
    container = c.containers.create(
        comp.ref, name="egca-engine", hostname="egca-engine", labels={LABEL: "engine"}, user="10001:10001",
        read_only=True, tmpfs=TMPFS, cap_drop=["ALL"], security_opt=["no-new-privileges"], mem_limit="2g",
        environment=env, ports={f"{comp.port}/tcp": (host_ip, port)}, detach=True)
    c.networks.get(NETWORK).connect(container, aliases=["engine"])
    container.start()
    return container


def up(replicas: dict[str, int] | None = None, port: int = ENGINE_PORT, host_ip: str = "127.0.0.1",
       timeout_s: float = 120, log=print) -> dict[str, float]:
    """Start everything and wait until each container's health check says SERVING.
    Returns seconds from start to SERVING per container."""
    c = client()
    _ensure_network(c)
    replicas = {lang: 1 for lang in RUNTIMES} | (replicas or {})
    started = {}
    for lang in RUNTIMES:
        for i in range(1, replicas[lang] + 1):
            started[f"egca-{COMPONENTS[lang].dns}-{i}"] = (start_runtime(c, lang, i), lang, time.monotonic())
    ready = wait_serving(c, {n: (ct, lang, t0) for n, (ct, lang, t0) in started.items()}, timeout_s)
    t0 = time.monotonic()
    engine = start_engine(c, port, host_ip)
    ready |= wait_serving(c, {"egca-engine": (engine, "engine", t0)}, timeout_s)
    for name, s in ready.items():
        log(f"{name}: SERVING after {s:.2f}s")
    log(f"engine: {host_ip}:{port}  (egca analyze ... --engine {host_ip}:{port})")
    return ready


def wait_serving(c, started: dict, timeout_s: float = 120) -> dict[str, float]:
    """Poll each container's health-check command until it succeeds; {name: seconds}."""
    pending, done = dict(started), {}
    deadline = time.monotonic() + timeout_s
    while pending:
        for name, (ct, comp, t0) in list(pending.items()):
            ct.reload()
            if ct.status in ("exited", "dead"):
                raise InfrastructureError(f"{name} exited: {ct.logs(tail=30).decode(errors='replace')}")
            if ct.status == "running" and ct.exec_run(list(COMPONENTS[comp].health)).exit_code == 0:
                done[name] = time.monotonic() - t0
                del pending[name]
        if pending and time.monotonic() > deadline:
            raise InfrastructureError(f"not SERVING after {timeout_s:.0f}s: {', '.join(pending)}")
        if pending:
            time.sleep(0.1)
    return done


def containers(c=None):
    c = c or client()
    return [ct for ct in c.containers.list(all=True) if LABEL in (ct.labels or {}) and ct.name.startswith("egca-")]


def _remove(c, name: str) -> None:
    import docker

    try:
        c.containers.get(name).remove(force=True)
    except docker.errors.NotFound:
        pass


def down(log=print) -> None:
    import docker

    c = client()
    for ct in containers(c):
        ct.remove(force=True)
        log(f"removed {ct.name}")
    try:
        c.networks.get(NETWORK).remove()
    except docker.errors.NotFound:
        pass


def status() -> list[dict]:
    c = client()
    rows = []
    for ct in sorted(containers(c), key=lambda x: x.name):
        comp = ct.labels[LABEL].removeprefix("runtime-")
        healthy = ct.status == "running" and ct.exec_run(list(COMPONENTS[comp].health)).exit_code == 0
        nets = ct.attrs.get("NetworkSettings", {}).get("Networks", {})
        rows.append({"name": ct.name, "image": ct.image.tags[0] if ct.image.tags else ct.image.short_id,
                     "state": ct.status, "serving": healthy,
                     "ip": (nets.get(NETWORK) or {}).get("IPAddress", "")})
    return rows


# ---------------------------------------------------------------- CLI

def main(args) -> int:
    if args.action == "build":
        build(args.only or None)
    elif args.action == "up":
        reps = {lang: args.replicas for lang in RUNTIMES}
        for item in args.scale or []:
            lang, _, n = item.partition("=")
            reps[lang] = int(n)
        up(reps, port=args.port, host_ip=args.host)
    elif args.action == "down":
        down()
    else:
        rows = status()
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows or [{"name": "(no egca containers)", "image": "", "state": "", "serving": "", "ip": ""}]:
                print(f"{r['name']:28s} {r['state']:9s} {'SERVING' if r['serving'] is True else '':8s} "
                      f"{r['ip']:15s} {r['image']}")
    return 0
