"""Reads a slave with Debian's python3-pymodbus client and prints what it got as JSON.

Usage: /usr/bin/python3 pymodbus_client.py '<json spec>'
spec = {"mode": "rtu-serial"|"tcp", "port": "/dev/..." | 5020, "host": "127.0.0.1",
        "reads": [{"unit": 1, "table": "input"|"holding"|"coil", "address": 0, "count": 2, "as": "float"|"words"|"bits"}],
        "writes": [{"unit": 31, "coil": 0, "value": true}]}
Floats are decoded here with struct ('>f', high word first).
"""
import json
import logging
import struct
import sys

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.framer.rtu_framer import ModbusRtuFramer

logging.basicConfig(level=logging.CRITICAL)


def main():
    spec = json.loads(sys.argv[1])
    if spec["mode"] == "rtu-serial":
        client = ModbusSerialClient(port=spec["port"], framer=ModbusRtuFramer, baudrate=9600, timeout=2)
    else:
        client = ModbusTcpClient(spec.get("host", "127.0.0.1"), port=int(spec["port"]), timeout=2)
    client.connect()
    out = {"reads": [], "writes": []}
    for w in spec.get("writes", []):
        r = client.write_coil(w["coil"], w["value"], slave=w["unit"])
        out["writes"].append({"error": r.isError()})
    for rd in spec.get("reads", []):
        fn = {
            "input": client.read_input_registers,
            "holding": client.read_holding_registers,
            "coil": client.read_coils,
        }[rd["table"]]
        r = fn(rd["address"], rd["count"], slave=rd["unit"])
        if r.isError():
            out["reads"].append({"error": str(r)})
            continue
        if rd.get("as") == "bits":
            out["reads"].append({"bits": [bool(b) for b in r.bits[: rd["count"]]]})
        elif rd.get("as") == "float":
            regs = r.registers
            floats = [struct.unpack(">f", struct.pack(">HH", regs[i], regs[i + 1]))[0] for i in range(0, len(regs), 2)]
            out["reads"].append({"floats": floats})
        else:
            out["reads"].append({"words": list(r.registers)})
    client.close()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
