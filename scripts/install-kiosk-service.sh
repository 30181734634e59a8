#!/bin/sh
# Make this checkout the kiosk of a touch panel (run as root, after `sh scripts/setup.sh`):
#   sudo sh scripts/install-kiosk-service.sh kiosk
# for the desktop user "kiosk" (created if missing). It
#  - gives that user the checkout, and the groups lp (USB printers, with the udev rule
#    deploy/udev/60-dukcapil-printer.rules) and dialout (serial printers);
#  - installs the user service dukcapil-kiosk.service (starts with the desktop session,
#    restarts after a crash, keeps the screen from blanking) and an autostart entry;
#  - with LightDM, logs that user in automatically at boot.
# Safe to run again. Reboot afterwards (group membership and autologin need a new login).
set -eu
[ "$(id -u)" -eq 0 ] || { echo "run as root: sudo sh $0 USER" >&2; exit 2; }
USER_NAME=${1:-kiosk}
PREFIX=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$PREFIX/.venv/bin/kiosk" ] || {
    echo "$PREFIX/.venv/bin/kiosk is missing: run sh scripts/setup.sh first" >&2; exit 2; }
id "$USER_NAME" >/dev/null 2>&1 || adduser --disabled-password --gecos "Dukcapil kiosk" \
    "$USER_NAME"
usermod -aG lp,dialout "$USER_NAME"
HOME_DIR=$(getent passwd "$USER_NAME" | cut -d: -f6)
chown -R "$USER_NAME:" "$PREFIX"

install -m 0644 "$PREFIX/deploy/udev/60-dukcapil-printer.rules" /etc/udev/rules.d/
udevadm control --reload 2>/dev/null && udevadm trigger --subsystem-match=usb 2>/dev/null || true

UNITS="$HOME_DIR/.config/systemd/user"
install -d -o "$USER_NAME" "$HOME_DIR/.config" "$UNITS" \
    "$UNITS/graphical-session.target.wants" "$HOME_DIR/.config/autostart"
sed "s#@PREFIX@#$PREFIX#g" "$PREFIX/deploy/systemd/dukcapil-kiosk.service" \
    > "$UNITS/dukcapil-kiosk.service"
ln -sf ../dukcapil-kiosk.service "$UNITS/graphical-session.target.wants/dukcapil-kiosk.service"
install -m 0644 "$PREFIX/deploy/xdg/dukcapil-kiosk.desktop" "$HOME_DIR/.config/autostart/"
chown -R "$USER_NAME:" "$HOME_DIR/.config"

if [ -d /etc/lightdm ]; then
    mkdir -p /etc/lightdm/lightdm.conf.d
    printf '[Seat:*]\nautologin-user=%s\nautologin-user-timeout=0\n' "$USER_NAME" \
        > /etc/lightdm/lightdm.conf.d/50-dukcapil-kiosk.conf
    echo "LightDM logs $USER_NAME in at boot."
else
    echo "No LightDM here: set automatic login of $USER_NAME in your display manager."
fi
echo "Done. Check kiosk.ini ($PREFIX/kiosk.ini), set the PINs, then reboot."
