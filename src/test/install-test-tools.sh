#!/usr/bin/env bash
# The programs some tests run that Maven cannot bring: headless Chromium and its driver
# (ConsoleBrowserTest), Prometheus' promtool (PrometheusAlertRulesTest), openssl (the README's
# signing lines) and unshare (embedded PostgreSQL as root). `./mvnw verify` runs this before the
# tests; it installs what is missing with apt-get (Debian, as root), or stops the build and says
# what to install. `-Dtest-tools.skip` skips it: then the tests that need a missing tool fail.
set -euo pipefail

# Debian's package for each missing program; the browser test drives these two exact paths.
packages=()
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || packages+=(chromium chromium-driver)
command -v promtool >/dev/null || packages+=(prometheus)
command -v openssl >/dev/null || packages+=(openssl)
if [ "$(id -u)" = 0 ]; then
    command -v unshare >/dev/null || packages+=(util-linux)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "The tests need programs that are not installed. On Debian, as root: $command" >&2
    echo "(elsewhere: Chromium and chromedriver at /usr/bin/chromium and /usr/bin/chromedriver, promtool" >&2
    echo "and openssl on the PATH; or run ./mvnw with -Dtest-tools.skip, and the tests that need them fail)" >&2
    exit 1
fi

echo "Installing what the tests need: ${packages[*]} (apt-get, a minute or two)"
log=$(mktemp)
# Waits for another apt-get (a parallel build) instead of failing on its lock.
apt_get=(apt-get -q -o DPkg::Lock::Timeout=600)
{ "${apt_get[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y --no-install-recommends "${packages[@]}"; } \
    >"$log" 2>&1 || { cat "$log" >&2; echo "Could not install what the tests need: $command" >&2; exit 1; }
rm -f "$log"

{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && command -v promtool >/dev/null \
    && command -v openssl >/dev/null; } \
    || { echo "Installed ${packages[*]}, but a program the tests need is still missing: $command" >&2; exit 1; }
