# apt_install PKG...: installs Debian packages without letting their init scripts start system
# daemons (they would take the stack's ports). A policy-rc.d that refuses every service start is
# put in place for the install and removed again on every way out: success, failure, Ctrl-C,
# SIGTERM. Sourced by the stack components; refreshes the package lists first because it only
# runs when something is missing.
POLICY_RC_D=${POLICY_RC_D:-/usr/sbin/policy-rc.d}

apt_install() (
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if [ ! -e "$POLICY_RC_D" ]; then
    # Only a file we created is ours to remove.
    trap '$sudo rm -f "$POLICY_RC_D"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$POLICY_RC_D" >/dev/null
    $sudo chmod 755 "$POLICY_RC_D"
  fi
  $sudo apt-get update -qq \
    && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "$@"
)

# apt_install_server NAME PACKAGE PORT COMMAND...: Debian's PACKAGE unless every COMMAND is there already. The package's
# own service (/etc/init.d/PACKAGE) listens on PORT, which the stack uses: it is stopped if it runs.
apt_install_server() {
  local name=$1 package=$2 port=$3 cmd; shift 3
  for cmd in "$@"; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
      echo "$name: installing Debian $package"
      apt_install "$package"
      break
    fi
  done
  if [ -x "/etc/init.d/$package" ] && "/etc/init.d/$package" status >/dev/null 2>&1; then
    echo "$name: stopping the system $package service (it holds :$port)"
    "/etc/init.d/$package" stop >/dev/null 2>&1 || true
  fi
}
