#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the JupyterLab browser test.
# Test tools may not download browsers here: the test drives /usr/bin/chromium through
# Python Playwright's executable_path.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser test..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser test needs Debian's chromium at /usr/bin/chromium." >&2
echo "Install it with: sudo apt-get install chromium   (or skip it: make test-fast)" >&2
exit 1
