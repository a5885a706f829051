#!/usr/bin/env bash
# Checks that every external peer the tests talk to works, before the tests start.
# Each failure is one line naming what is missing and how to get it; exit 1 if any.
set -uo pipefail
fail=0
missing() { echo "preflight: $1" >&2; fail=1; }

command -v socat >/dev/null 2>&1 || missing "socat is missing (serial pty pairs): apt-get install socat"
command -v zbarimg >/dev/null 2>&1 || missing "zbarimg is missing (reads QR codes back from card sheets): apt-get install zbar-tools"
command -v pdftotext >/dev/null 2>&1 || missing "pdftotext is missing (checks generated PDFs): apt-get install poppler-utils"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  missing "chromium is missing at $CHROMIUM (panel tests): apt-get install chromium"
elif ! "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --version >/dev/null 2>&1; then
  missing "chromium at $CHROMIUM does not start headless (panel tests): reinstall chromium"
fi
# pymodbus as a peer nobody on the team wrote: its RTU server needs pyserial and serial_asyncio.
if ! /usr/bin/python3 - <<'PY' 2>/dev/null
import pymodbus
from pymodbus.client import ModbusSerialClient, ModbusTcpClient  # noqa: F401
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer  # noqa: F401
import serial, serial_asyncio  # noqa: F401,E401
PY
then
  missing "python3 pymodbus client/server cannot be imported (Modbus peer tests): apt-get install python3-pymodbus python3-serial python3-serial-asyncio"
fi
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  if ! node -e "
    const { Client } = require('pg');
    const c = new Client({ connectionString: process.env.TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
    c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
  " 2>/dev/null; then
    missing "PostgreSQL is not reachable at ${TEST_DATABASE_URL%%@*}@… (cloud tests): run scripts/ci-setup.sh as root (starts the cluster and the test role)"
  fi
fi
[ "$fail" -eq 0 ] && echo "preflight: socat, zbarimg, chromium, pymodbus (client + server), PostgreSQL ok"
exit "$fail"
