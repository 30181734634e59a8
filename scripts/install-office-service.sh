#!/bin/sh
# Install the office server as a systemd service (run as root, from the checkout, after
# `sh scripts/setup.sh --office`):  sudo sh scripts/install-office-service.sh
# Creates the system user dukcapil-office, /etc/dukcapil-office.env (kept if present),
# the unit dukcapil-office.service and the command /usr/local/bin/dukcapil-office
# (kiosk-office with the service's settings, as its user). Safe to run again.
set -eu
[ "$(id -u)" -eq 0 ] || { echo "run as root: sudo sh $0" >&2; exit 2; }
PREFIX=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$PREFIX/.venv/bin/kiosk-office" ] || {
    echo "$PREFIX/.venv/bin/kiosk-office is missing: run sh scripts/setup.sh --office first" >&2
    exit 2; }
id dukcapil-office >/dev/null 2>&1 || useradd --system --home-dir /var/lib/dukcapil-office \
    --shell /usr/sbin/nologin dukcapil-office
install -d -o dukcapil-office -g dukcapil-office -m 0750 /var/lib/dukcapil-office
[ -f /etc/dukcapil-office.env ] || install -m 0640 -o root -g dukcapil-office \
    "$PREFIX/deploy/systemd/dukcapil-office.env" /etc/dukcapil-office.env
sed "s#@PREFIX@#$PREFIX#g" "$PREFIX/deploy/systemd/dukcapil-office.service" \
    > /etc/systemd/system/dukcapil-office.service
cat > /usr/local/bin/dukcapil-office <<WRAP
#!/bin/sh
# kiosk-office with the settings of the dukcapil-office service, as its user (run with sudo)
set -a; . /etc/dukcapil-office.env; set +a
cd /var/lib/dukcapil-office
exec runuser -u dukcapil-office -- "$PREFIX/.venv/bin/kiosk-office" "\$@"
WRAP
chmod 0755 /usr/local/bin/dukcapil-office
systemctl daemon-reload
systemctl enable --now dukcapil-office.service
echo "dukcapil-office is running: systemctl status dukcapil-office; settings in" \
     "/etc/dukcapil-office.env (then: systemctl restart dukcapil-office)"
