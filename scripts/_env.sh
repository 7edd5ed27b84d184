# shellcheck shell=bash
# Shared by scripts/setup, scripts/test and scripts/develop: where the Python
# environment lives and how to run a command inside it.
#
# Route 1: a Python >= 3.14.2 on the machine -> a venv at .venv/.
# Route 2: otherwise -> a Debian sid rootfs at .rootfs/ with python3.14 and a
# venv at /opt/venv inside it; commands run there under chroot, with /proc,
# /dev and the repo (at /src) bind-mounted inside a private mount namespace, so
# no mount outlives the command, even when it is killed.
#
# HA_VERSION (e.g. 2026.11.0) runs in_env commands in a venv of that Home
# Assistant release beside the main one (.venv-ha-<version>/, or
# /opt/venv-ha-<version> in the rootfs) with what its dev instance needs;
# scripts/setup makes it. Unset or empty: the main venv, with the Home
# Assistant that requirements_test.txt pins.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOTFS="$REPO/.rootfs"
REQUIREMENTS="requirements_dev.txt"
MIN_PYTHON="3.14.2"
# The newest Home Assistant release that scripts/test --browser (so CI) also
# runs the end-to-end and real-browser checks against.
NEWEST_HA_VERSION="2026.11.0"
HA_VERSION="${HA_VERSION:-}"

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
  MAIN_VENV_IN_ENV="/opt/venv"
  WORKDIR_IN_ENV="/src"
else
  ROUTE="host"
  MAIN_VENV_IN_ENV="$REPO/.venv"
  WORKDIR_IN_ENV="$REPO"
fi

# Print the host path of VENV, a venv path inside the environment.
venv_on_host() {
  if [[ "$ROUTE" == "host" ]]; then printf '%s' "$1"; else printf '%s' "$ROOTFS$1"; fi
}
MAIN_VENV_ON_HOST="$(venv_on_host "$MAIN_VENV_IN_ENV")"

# Make in_env use Home Assistant VERSION's venv (empty: the main venv), and
# export HA_VERSION so the scripts started from here use it too.
use_ha_version() {
  [[ -z "$1" || "$1" =~ ^[0-9]{4}\.[0-9]{1,2}\.[0-9]+((b|\.dev)[0-9]+)?$ ]] ||
    die "$1 is not a Home Assistant release such as $NEWEST_HA_VERSION"
  export HA_VERSION="$1"
  VENV_IN_ENV="$MAIN_VENV_IN_ENV${HA_VERSION:+-ha-$HA_VERSION}"
  VENV_ON_HOST="$(venv_on_host "$VENV_IN_ENV")"
}
use_ha_version "$HA_VERSION"

# Take --ha-version VERSION (or --ha-version=VERSION) out of "$@" and use that
# release; the other arguments are left in ARGS.
take_ha_version_option() {
  ARGS=()
  while (($#)); do
    case "$1" in
      --ha-version)
        (($# >= 2)) || die "--ha-version needs a version, such as $NEWEST_HA_VERSION"
        use_ha_version "$2"
        shift 2
        ;;
      --ha-version=*) use_ha_version "${1#*=}"; shift ;;
      *) ARGS+=("$1"); shift ;;
    esac
  done
}

# Print the warnings and errors in Home Assistant's log file LOG that name
# slack_webhook: its own, and Home Assistant's reports about it (a deprecated
# call, a failed action), less the notice every custom integration gets.
integration_problems() {
  grep -E '^\S+ \S+ (WARNING|ERROR|CRITICAL) .*slack_webhook' "$1" |
    grep -vF 'We found a custom integration slack_webhook which has not been tested' || true
}

# Fail when anything is mounted below the rootfs in this namespace.
assert_no_mounts_below_rootfs() {
  local mounts
  mounts="$(findmnt -rn -o TARGET 2>/dev/null | grep -F "$ROOTFS" || true)"
  [[ -z "$mounts" ]] || die "mounts are active below $ROOTFS; refusing to touch it:
$mounts"
}

# Set ENV_ARGV to the command line that runs "$@" (after the first argument,
# a venv path inside the environment) inside the environment, from the repo
# root, with that venv first on PATH.
venv_argv() {
  local venv="$1"
  shift
  if [[ "$ROUTE" == "host" ]]; then
    ENV_ARGV=(env "PATH=$venv/bin:$PATH" bash -c 'cd "$0" && exec "$@"' "$REPO" "$@")
    return
  fi
  ENV_ARGV=(unshare --mount --propagation private -- bash -c '
    set -e
    root="$1"; repo="$2"; venv="$3"; shift 3
    mount --bind /proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind "$repo" "$root/src"
    exec chroot "$root" /usr/bin/env -i \
      HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
      SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt UV_NATIVE_TLS=1 \
      PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" \
      bash -c "cd /src && exec \"\$@\"" _ "$@"
  ' _ "$ROOTFS" "$REPO" "$venv" "$@")
}

# Run "$@" in the venv VENV_IN_ENV (HA_VERSION's, or the main one).
in_env() { venv_argv "$VENV_IN_ENV" "$@"; "${ENV_ARGV[@]}"; }
exec_in_env() { venv_argv "$VENV_IN_ENV" "$@"; exec "${ENV_ARGV[@]}"; }
# Run "$@" in the main venv whatever HA_VERSION says (tests, linters, setup).
in_main_env() { venv_argv "$MAIN_VENV_IN_ENV" "$@"; "${ENV_ARGV[@]}"; }
