# shellcheck shell=bash
# Shared by scripts/setup, scripts/test and scripts/develop: where the Python
# environment lives and how to run a command inside it.
#
# Route 1: a Python >= 3.14.2 on the machine -> a venv at .venv/.
# Route 2: otherwise -> a Debian sid rootfs at .rootfs/ with python3.14 and a
# venv at /opt/venv inside it; commands run there under chroot, with /proc,
# /dev and the repo (at /src) bind-mounted inside a private mount namespace, so
# no mount outlives the command, even when it is killed.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOTFS="$REPO/.rootfs"
REQUIREMENTS="requirements_dev.txt"
MIN_PYTHON="3.14.2"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Print the path of a Python >= MIN_PYTHON on this machine, if there is one.
find_host_python() {
  local candidate
  for candidate in ${PYTHON:-} python3.16 python3.15 python3.14 python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$MIN_PYTHON'.split('.'))))" 2>/dev/null \
      && "$candidate" -c "import venv, ensurepip" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [[ "${SLACK_WEBHOOK_ROUTE:-}" == "rootfs" ]] || ! HOST_PYTHON="$(find_host_python)"; then
  ROUTE="rootfs"
  VENV_IN_ENV="/opt/venv"
  VENV_ON_HOST="$ROOTFS/opt/venv"
  WORKDIR_IN_ENV="/src"
else
  ROUTE="host"
  VENV_IN_ENV="$REPO/.venv"
  VENV_ON_HOST="$VENV_IN_ENV"
  WORKDIR_IN_ENV="$REPO"
fi

# Fail when anything is mounted below the rootfs in this namespace.
assert_no_mounts_below_rootfs() {
  local mounts
  mounts="$(findmnt -rn -o TARGET 2>/dev/null | grep -F "$ROOTFS" || true)"
  [[ -z "$mounts" ]] || die "mounts are active below $ROOTFS; refusing to touch it:
$mounts"
}

# Set ENV_ARGV to the command line that runs "$@" inside the environment, from
# the repo root, with the venv first on PATH.
env_argv() {
  if [[ "$ROUTE" == "host" ]]; then
    ENV_ARGV=(env "PATH=$VENV_IN_ENV/bin:$PATH" bash -c 'cd "$0" && exec "$@"' "$REPO" "$@")
    return
  fi
  ENV_ARGV=(unshare --mount --propagation private -- bash -c '
    set -e
    root="$1"; repo="$2"; shift 2
    mount --bind /proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind "$repo" "$root/src"
    exec chroot "$root" /usr/bin/env -i \
      HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
      SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt UV_NATIVE_TLS=1 \
      PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin \
      bash -c "cd /src && exec \"\$@\"" _ "$@"
  ' _ "$ROOTFS" "$REPO" "$@")
}

in_env() { env_argv "$@"; "${ENV_ARGV[@]}"; }
exec_in_env() { env_argv "$@"; exec "${ENV_ARGV[@]}"; }
