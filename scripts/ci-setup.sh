#!/usr/bin/env bash
# Prepares a fresh Debian machine (as root) for the full test suite: apt packages,
# npm dependencies from the lock file, and a PostgreSQL server with a test role.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  socat              # real serial pty pairs for reader / Modbus RTU tests
  libusb-1.0-0       # node-hid / usb native modules
  udev               # udevadm for the USB agent
  chromium           # the panel's end-to-end tests (driven by playwright-core)
  postgresql         # cloud-sync contract tests against real PostgreSQL
  mosquitto-clients  # acceptance checks with clients nobody on the team wrote
  python3-pymodbus   # a Modbus peer nobody on the team wrote
  python3-serial     # pymodbus' serial client/server (a Recommends that --no-install-recommends skips)
  python3-serial-asyncio # pymodbus' async serial server (likewise only a Recommends)
  fonts-wqy-microhei # CJK font for printable card sheets (PDF)
  poppler-utils      # pdftotext / pdftoppm / pdfinfo to check generated PDFs
  zbar-tools         # zbarimg reads QR codes back from rendered card sheets
  fonts-dejavu-core  # a font without CJK glyphs, for the card font-coverage test
  ca-certificates
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing apt packages: ${missing[*]} — run this script as root (or install them with sudo apt-get install)" >&2
    exit 1
  fi
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

# PostgreSQL: start the Debian cluster and make a password role for the tests (peer
# auth refuses root as postgres, so tests connect over TCP with a password).
if command -v pg_lsclusters >/dev/null 2>&1; then
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2" "$4}')
  if [ -n "$cluster" ]; then
    read -r ver name status <<<"$cluster"
    if [ "$status" != "online" ]; then
      echo "== starting PostgreSQL $ver/$name"
      pg_ctlcluster "$ver" "$name" start
    fi
    su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'campus') THEN
    CREATE ROLE campus LOGIN PASSWORD 'campus' CREATEDB;
  END IF;
END $$;
-- Each suite drops its database WITH (FORCE); an autovacuum worker on it can only be
-- terminated by a member of pg_signal_backend.
GRANT pg_signal_backend TO campus;
SQL
    su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'campus_test'\"" | grep -q 1 \
      || su postgres -c "createdb -O campus campus_test"
  fi
fi
