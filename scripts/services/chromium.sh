#!/usr/bin/env bash
# Debian's chromium for Owlistic's browser tests (Playwright uses it via executable_path).
#
#   chromium.sh          install the `chromium` package if /usr/bin/chromium is missing, print its path
#   chromium.sh check    the same, then load a page headless to prove the browser runs
#
# Launch flags that work here as root are in CHROMIUM_FLAGS below (also printed by `flags`).
set -euo pipefail
# shellcheck source=apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

CHROMIUM=/usr/bin/chromium
CHROMIUM_FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync)

log() { printf '[chromium] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_installed() {
    if [ -x "$CHROMIUM" ]; then
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || die "$CHROMIUM is missing and we are not root to install it"
    log "installing chromium with apt-get"
    apt_install_packages chromium
    [ -x "$CHROMIUM" ] || die "apt-get installed chromium but $CHROMIUM is missing"
}

check() {
    local profile dom
    profile="$(mktemp -d)"
    dom="$(timeout 60 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$profile" \
        --dump-dom 'data:text/html,<title>owl</title><p id="x">owlistic-ok</p>' 2>/dev/null)" || true
    rm -rf "$profile"
    case "$dom" in
        *owlistic-ok*) log "headless chromium works ($("$CHROMIUM" --version 2>/dev/null))" ;;
        *) die "headless chromium did not render a test page" ;;
    esac
}

case "${1:-path}" in
    path) ensure_installed ;;
    check) ensure_installed && check ;;
    flags)
        echo "${CHROMIUM_FLAGS[*]}"
        exit 0
        ;;
    *)
        echo "usage: $0 [path|check|flags]" >&2
        exit 2
        ;;
esac
echo "$CHROMIUM"
