/**
 * Modbus lines shared by the edge's domains: gate relay buses (access) and meter
 * buses (energy) get their ModbusBus here, one per physical line.
 */
import { ModbusLines } from './registry.js';

export { ModbusLines, LineLease } from './registry.js';
export { findLineConflicts, ModbusLineConflict, type LineClaim, type LineConflictCode } from './conflicts.js';
export { lineKeyOf, lineLabelOf, lineSettingsOf } from './line-key.js';
export { modbusLineMessages } from './messages.js';

/**
 * The process's lines. A serial port or a serial server's socket is one per
 * process whoever asks for it, so the default registry is too; modules that are
 * handed a registry (tests, a second edge in one process) use theirs.
 */
export const edgeModbusLines = new ModbusLines();
