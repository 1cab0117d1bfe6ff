#!/usr/bin/env bash
# The real client libraries the end-to-end tests drive (test/e2e/clients/): Debian's
# python3-kubernetes. Idempotent; without apt (or offline) it says so loudly and exits 0, and the
# tests that need the client skip with the same message.
set -u
if /usr/bin/python3 -c "import kubernetes" 2>/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-clients: apt-get is not available; the python3-kubernetes e2e tests will be SKIPPED" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends python3-kubernetes >/tmp/install-test-clients.log 2>&1; then
  $SUDO apt-get update >>/tmp/install-test-clients.log 2>&1
  $SUDO apt-get install -y --no-install-recommends python3-kubernetes >>/tmp/install-test-clients.log 2>&1 ||
    echo "install-test-clients: could not install python3-kubernetes (see /tmp/install-test-clients.log); its e2e tests will be SKIPPED" >&2
fi
exit 0
