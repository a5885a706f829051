"""A Modbus slave made of Debian's python3-pymodbus, a peer nobody on this team wrote.

Usage: /usr/bin/python3 pymodbus_slave.py '<json spec>'

spec = {
  "mode": "rtu-serial" | "tcp" | "rtu-tcp",
  "port": "/dev/pts/..."  (rtu-serial) or 0 (tcp, rtu-tcp: 0 picks a free port),
  "units": { "<unit>": { "<table>": { "floats": {"<addr>": value}, "words": {"<addr>": word}, "bits": {"<addr>": bool} } } }
}
table is one of input, holding, coil, discrete. Floats are packed here with
struct ('>f', high word first), independently of the code under test. Only the
listed addresses exist: reading anything else gets exception 2, as pymodbus's
sparse blocks answer. Prints "READY <port>" when serving.
"""
import asyncio
import json
import logging
import struct
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer

logging.basicConfig(level=logging.CRITICAL)


def block(table_spec):
    values = {}
    for addr, v in (table_spec.get("floats") or {}).items():
        hi, lo = struct.unpack(">HH", struct.pack(">f", float(v)))
        values[int(addr, 0)] = hi
        values[int(addr, 0) + 1] = lo
    for addr, v in (table_spec.get("words") or {}).items():
        values[int(addr, 0)] = int(v) & 0xFFFF
    for addr, v in (table_spec.get("bits") or {}).items():
        values[int(addr, 0)] = bool(v)
    if not values:
        # pymodbus needs a non-empty block; an address nobody reads in tests.
        values[0xFFFE] = 0
    return ModbusSparseDataBlock(values)


def context(spec):
    slaves = {}
    for unit, tables in spec["units"].items():
        slaves[int(unit)] = ModbusSlaveContext(
            di=block(tables.get("discrete", {})),
            co=block(tables.get("coil", {})),
            hr=block(tables.get("holding", {})),
            ir=block(tables.get("input", {})),
            zero_mode=True,
        )
    return ModbusServerContext(slaves=slaves, single=False)


async def main():
    spec = json.loads(sys.argv[1])
    ctx = context(spec)
    mode = spec["mode"]
    if mode == "rtu-serial":
        server = await StartAsyncSerialServer(
            context=ctx, framer=ModbusRtuFramer, port=spec["port"], baudrate=spec.get("baudrate", 9600), defer_start=True
        )
        await server.start()
        print("READY " + spec["port"], flush=True)
        await server.serve_forever()
    else:
        framer = ModbusRtuFramer if mode == "rtu-tcp" else ModbusSocketFramer
        server = await StartAsyncTcpServer(
            context=ctx, framer=framer, address=("127.0.0.1", int(spec.get("port", 0))), defer_start=True
        )
        task = asyncio.create_task(server.serve_forever())
        await server.serving
        port = server.server.sockets[0].getsockname()[1]
        print("READY " + str(port), flush=True)
        await task


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
