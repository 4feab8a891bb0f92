# shellcheck shell=bash
# Shared bootstrap for scripts/start and scripts/test (sourced, not executed).
#
#   portal_cd_root                 cd to the repository root
#   portal_system_packages PKG...  make sure Debian packages are installed (root: apt-get install;
#                                  otherwise: print what to install and carry on)
#   portal_venv                    create .venv if needed, (re)install the project when
#                                  pyproject.toml changed since the last install, activate it
#
# Environment: PYTHON (interpreter to build .venv with, default: first python3 >= 3.11 on PATH),
# PORTAL_SKIP_APT=1 (never call apt-get), PORTAL_FORCE_INSTALL=1 (reinstall even if unchanged).

set -euo pipefail

PORTAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORTAL_VENV="$PORTAL_ROOT/.venv"
PORTAL_STAMP="$PORTAL_VENV/.portal-install-stamp"
PORTAL_MIN_PYTHON="3.11"

if [[ -t 1 ]]; then
    _portal_bold=$'\e[1m' _portal_yellow=$'\e[33m' _portal_red=$'\e[31m' _portal_reset=$'\e[0m'
else
    _portal_bold="" _portal_yellow="" _portal_red="" _portal_reset=""
fi

portal_step() { printf '%s==> %s%s\n' "$_portal_bold" "$*" "$_portal_reset"; }
portal_warn() { printf '%swarning: %s%s\n' "$_portal_yellow" "$*" "$_portal_reset" >&2; }
portal_die() {
    printf '%serror: %s%s\n' "$_portal_red" "$*" "$_portal_reset" >&2
    exit 1
}

portal_cd_root() { cd "$PORTAL_ROOT"; }

# --- Debian packages -------------------------------------------------------------------------

_portal_apt_updated=0

_portal_pkg_installed() {
    local status
    status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" || return 1
    [[ "$status" == "install ok installed" ]]
}

portal_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        portal_warn "not a Debian-based system: make sure these are installed: $*"
        return 0
    fi
    local missing=() pkg
    for pkg in "$@"; do
        _portal_pkg_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if [[ "$(id -u)" != 0 || "${PORTAL_SKIP_APT:-0}" == 1 ]] || ! command -v apt-get >/dev/null 2>&1; then
        portal_warn "missing system packages: ${missing[*]}"
        portal_warn "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
        portal_warn "continuing without them (PDF rendering, fonts or browser tests may not work)"
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ((_portal_apt_updated == 0)); then
        portal_step "apt-get update"
        apt-get update -qq || portal_die "apt-get update failed"
        _portal_apt_updated=1
    fi
    portal_step "apt-get install ${missing[*]}"
    apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" </dev/null \
        || portal_die "apt-get install ${missing[*]} failed"
}

# --- Python virtual environment --------------------------------------------------------------

_portal_python_ok() {
    "$1" -c "import sys; sys.exit(0 if sys.version_info >= (${PORTAL_MIN_PYTHON/./, }) else 1)" \
        >/dev/null 2>&1
}

_portal_find_python() {
    local candidate
    if [[ -n "${PYTHON:-}" ]]; then
        _portal_python_ok "$PYTHON" \
            || portal_die "PYTHON=$PYTHON is not a working Python >= $PORTAL_MIN_PYTHON"
        echo "$PYTHON"
        return 0
    fi
    for candidate in python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && _portal_python_ok "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    local found="none"
    command -v python3 >/dev/null 2>&1 && found="$(python3 --version 2>&1)"
    portal_die "Python >= $PORTAL_MIN_PYTHON is required (python3 on PATH: $found). Install it (Debian 12: apt-get install python3 python3-venv) or set PYTHON=/path/to/python3.11"
}

_portal_install_hash() {
    # What the installed environment depends on: the project metadata and the interpreter.
    {
        cat "$PORTAL_ROOT/pyproject.toml"
        "$PORTAL_VENV/bin/python" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1
}

portal_venv() {
    if [[ -x "$PORTAL_VENV/bin/python" ]] && ! _portal_python_ok "$PORTAL_VENV/bin/python"; then
        portal_warn ".venv is broken or older than Python $PORTAL_MIN_PYTHON: recreating it"
        rm -rf "$PORTAL_VENV"
    fi
    if [[ ! -x "$PORTAL_VENV/bin/python" ]]; then
        local python
        python="$(_portal_find_python)"
        if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            if [[ "$python" == /usr/bin/* ]]; then
                portal_system_packages python3-venv
            fi
            "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 \
                || portal_die "$python has no venv/ensurepip module (Debian: apt-get install python3-venv)"
        fi
        portal_step "creating .venv with $("$python" --version 2>&1) ($python)"
        "$python" -m venv "$PORTAL_VENV" || portal_die "could not create $PORTAL_VENV"
    fi

    local want have=""
    want="$(_portal_install_hash)"
    [[ -f "$PORTAL_STAMP" ]] && have="$(cat "$PORTAL_STAMP")"
    if [[ "$want" != "$have" || "${PORTAL_FORCE_INSTALL:-0}" == 1 ]]; then
        portal_step "installing the project and its dev dependencies into .venv (new .venv or pyproject.toml changed)"
        (
            cd "$PORTAL_ROOT"
            "$PORTAL_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
        ) || portal_die "pip install -e '.[dev]' failed (see above)"
        echo "$want" >"$PORTAL_STAMP"
    fi

    export VIRTUAL_ENV="$PORTAL_VENV"
    export PATH="$PORTAL_VENV/bin:$PATH"
    unset PYTHONHOME
}
