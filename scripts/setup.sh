#!/bin/sh
# Set up this checkout on a Debian machine: system libraries + a venv in .venv.
#   sh scripts/setup.sh          the kiosk
#   sh scripts/setup.sh --office the kiosk and the office server (kiosk-office, espeak-ng)
#   sh scripts/setup.sh --test   the kiosk, the office server and the test tools (chromium)
# Safe to run again; uses sudo for apt-get when not root.
set -eu
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
[ "${1:-}" = "--office" ] && extras="[office]"

# Mesa GL/EGL for Kivy (also offscreen), mtdev for touch screens, libusb for USB printers,
# ca-certificates: the system CA store the office server's https is checked against.
pkgs="libgl1 libegl1 libmtdev1 libusb-1.0-0 ca-certificates"
# The office server speaks the calls with espeak-ng's Indonesian voice; the tests drive the
# loket and display pages in Debian's chromium through chromium-driver.
[ "${1:-}" = "--office" ] && pkgs="$pkgs espeak-ng"
[ "${1:-}" = "--test" ] && pkgs="$pkgs espeak-ng chromium chromium-driver"
python3 -c "import ensurepip" 2>/dev/null || pkgs="$pkgs python3-venv"
missing=""
for p in $pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".$extras"
echo "setup done: .venv/bin/kiosk --help"
