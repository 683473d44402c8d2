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
