import { ModbusBus } from '../modbus/bus.js';
import { parseOptions } from '../serial/options.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import { ModbusLineCoilBus } from './lineCoilBus.js';
import { ModbusCoilBusOptionsSchema, relayBusLine, relayLinkId, type ModbusCoilBusOptions } from './relayBusOptions.js';

/**
 * A relay bus alone on its link: its own ModbusBus, started and stopped with the
 * returned coil bus (open()/close()). Lines shared with meters come from the edge's
 * line registry instead. `units`: the boards on it, which get the relay-board policy.
 */
export function openRelayLine(options: ModbusCoilBusOptions & { id?: string; units?: readonly number[] }, logger: DriverLogger = silentLogger): ModbusLineCoilBus {
  const { id, units, ...rest } = options;
  const parsed = parseOptions(ModbusCoilBusOptionsSchema, rest, 'modbus');
  const line = relayBusLine(parsed);
  const bus = new ModbusBus({ id: id ?? 'relay-bus', ...line.bus }, { logger });
  for (const unit of units ?? [1]) bus.configureDevice(unit, line.board);
  return new ModbusLineCoilBus(bus, { id: relayLinkId(parsed.link), units, ownsLine: true }, logger);
}
