#!/usr/bin/env bash
# One command from a fresh clone: install everything into .venv/ and run the
# main job (egca demo: analyze bundled failing completions on the embedded,
# local runtimes). Safe to re-run. Set EGCA_SETUP_ONLY=1 to skip the demo.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# System packages: bubblewrap for the sandbox. Only when missing, and only as root.
need_apt=()
command -v bwrap >/dev/null || need_apt+=(bubblewrap)
{ command -v prlimit && command -v setpriv; } >/dev/null || need_apt+=(util-linux)
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v gcc >/dev/null || need_apt+=(gcc libc6-dev)
command -v g++ >/dev/null || need_apt+=(g++)   # the C++ runtime (g++ in the sandbox)
[ -f /usr/include/openssl/md5.h ] || need_apt+=(libssl-dev)   # humaneval-cpp's MD5 task (CPP/162)
command -v javac >/dev/null || need_apt+=(openjdk-17-jdk-headless)   # the Java runtime (javac, JVMs in the sandbox)
command -v chromium >/dev/null || need_apt+=(chromium)   # the HTML report's browser tests
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "warning: missing ${need_apt[*]}; install them (sudo apt-get install ${need_apt[*]})" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install -q --disable-pip-version-check)
log "installing Python packages (torch CPU build first)"
"${PIP[@]}" torch==2.13.0
editables=(-e ".[train,dev,containers,verl,bench]")
for pkg in runtimes/kit runtimes/python runtimes/c runtimes/javascript adapters/python adapters/javascript adapters/c runtimes/java adapters/java runtimes/cpp adapters/cpp; do
  [ -f "$pkg/pyproject.toml" ] && editables+=(-e "$pkg")
done
"${PIP[@]}" -c constraints.txt "${editables[@]}"   # ranges in pyproject.toml, tested pins in constraints.txt
log "installing verl without its dependencies (its own set pins transformers<5.11; docs/VERL.md)"
"${PIP[@]}" -c constraints.txt --no-deps verl

if [ -f runtimes/javascript/package-lock.json ]; then
  log "installing the JavaScript runtime (npm ci)"
  (cd runtimes/javascript && npm ci --no-audit --no-fund --loglevel=error)
fi

.venv/bin/python tools/gen_proto.py --check

if [ "${EGCA_SETUP_ONLY:-0}" != 1 ]; then
  log "running the main job: egca demo"
  .venv/bin/egca demo
fi
log "done: .venv/bin/egca is ready; run the tests with: .venv/bin/python -m pytest -q"
