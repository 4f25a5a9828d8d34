# Sourced by the service scripts: apt-get that waits for another install to finish.
#
# When another apt/dpkg runs (an unattended upgrade, another project's install), apt-get
# fails at once with "Could not get lock". Here it waits for the dpkg lock
# (DPkg::Lock::Timeout), and any apt-get that still fails on a lock (update's lists lock
# has no timeout option) is retried every OWLISTIC_APT_RETRY_SECONDS (default 5) for up to
# OWLISTIC_APT_WAIT_SECONDS (default 600).

apt_get_waiting() {
    local waited=0 out status
    local step="${OWLISTIC_APT_RETRY_SECONDS:-5}" limit="${OWLISTIC_APT_WAIT_SECONDS:-600}"
    while :; do
        set +e
        out="$(DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$limit" "$@" 2>&1)"
        status=$?
        set -e
        if [ "$status" -eq 0 ]; then
            return 0
        fi
        if ! grep -qiE 'could not get lock|unable to acquire|is another process using it' <<<"$out" \
            || [ "$waited" -ge "$limit" ]; then
            printf '%s\n' "$out" >&2
            return "$status"
        fi
        echo "apt is busy (another install is running); waiting ${step}s" >&2
        sleep "$step"
        waited=$((waited + step))
    done
}

# apt_install PACKAGE...: update the lists and install, waiting for other installs.
apt_install_packages() {
    apt_get_waiting update -qq
    apt_get_waiting install -y -qq "$@" >/dev/null
}
