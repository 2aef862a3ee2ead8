#!/usr/bin/env bash
# Container stage of CI, on a machine with no Docker engine and no registry:
# installs Podman (runc runtime) and debootstrap from Debian, builds the base
# image debian:bookworm-slim locally (debootstrap --variant=minbase, slimmed the
# way the official image is), builds the engine and runtime images
# (`egca runtimes build`), and starts Podman's Docker-compatible API socket.
# Afterwards: DOCKER_HOST=unix:///run/podman/podman.sock EGCA_CONTAINER_TESTS=1 pytest tests/test_containers.py
# Any step that cannot run fails loudly (set -e): this stage never skips itself.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1m==> [containers] %s\033[0m\n' "$*"; }
die() { printf '\033[1;31m==> [containers] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (apt-get, rootful podman)"
[ -x .venv/bin/python ] || die ".venv missing: run setup.sh first"
[ -d runtimes/javascript/node_modules ] || die "runtimes/javascript/node_modules missing: run setup.sh first"
SOCK=/run/podman/podman.sock
BASE=docker.io/library/debian:bookworm-slim
CACHE=${EGCA_CONTAINER_CACHE:-/var/cache/egca-containers}

need=()
for cmd in podman runc debootstrap; do command -v "$cmd" >/dev/null || need+=("$cmd"); done
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install podman runc debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman runc debootstrap netavark aardvark-dns iptables uidmap catatonit >/dev/null
fi

# Podman's default ulimits cannot be set here; runc is the runtime that works on this machine kind.
mkdir -p /etc/containers
if ! grep -qs 'default_ulimits = \[\]' /etc/containers/containers.conf; then
  log "configuring /etc/containers/containers.conf"
  printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' > /etc/containers/containers.conf
fi
podman info >/dev/null 2>&1 || die "podman does not work here: $(podman info 2>&1 | tail -3)"

if ! podman image exists "$BASE"; then
  log "building the base image $BASE with debootstrap (about a minute)"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$CACHE.debootstrap.log" 2>&1 \
    || die "debootstrap failed (see $CACHE.debootstrap.log)"
  # What debian:bookworm-slim does: no docs, man pages or locales, now or in later apt installs.
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  printf 'APT::Install-Recommends "false";\n' > "$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
  find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale}/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
         "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - "$BASE" >/dev/null
  rm -rf "$rootfs"; trap - EXIT
fi

if ! [ -S "$SOCK" ] || ! curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null; then
  log "starting podman system service on $SOCK"
  mkdir -p "$(dirname "$SOCK")"
  # From /: the service outlives this checkout, and conmon fails once its cwd is gone.
  (cd / && nohup podman system service --time=0 "unix://$SOCK" >/var/log/egca-podman-service.log 2>&1 &)
  for _ in $(seq 50); do curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null && break; sleep 0.2; done
  curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null || die "podman API socket did not come up"
fi
export DOCKER_HOST=unix://$SOCK

log "building the images (egca runtimes build)"
.venv/bin/python -m pip install -q --disable-pip-version-check 'docker>=7'
.venv/bin/egca runtimes build
log "ready: DOCKER_HOST=$DOCKER_HOST"
