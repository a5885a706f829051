import { bilingual, hasMessage, type Params } from '@campus/protocol/i18n/index';
import { MODBUS_REASONS, exceptionReason } from '@campus/protocol/energy/index';

export type ModbusFailureKind =
  | 'timeout'
  | 'crc_error'
  | 'frame_error'
  | 'exception'
  | 'link_down'
  | 'bus_stopped'
  | 'device_offline';

const REASON_OF: Record<ModbusFailureKind, string> = {
  timeout: MODBUS_REASONS.timeout,
  crc_error: MODBUS_REASONS.crcError,
  frame_error: MODBUS_REASONS.frameError,
  exception: MODBUS_REASONS.exception,
  link_down: MODBUS_REASONS.linkDown,
  bus_stopped: MODBUS_REASONS.busStopped,
  device_offline: MODBUS_REASONS.deviceOffline,
};

/**
 * Why a Modbus transaction failed. `reason` is the machine code the edge records
 * ("modbus.timeout", "modbus.exception.2"); `text` is the same in both languages
 * for logs and the panel; `message` is the English text.
 */
export class ModbusError extends Error {
  readonly reason: string;
  readonly text: { 'zh-CN': string; en: string };

  constructor(
    readonly kind: ModbusFailureKind,
    readonly busId: string,
    readonly unit: number,
    readonly params: Params = {},
    readonly exceptionCode?: number,
  ) {
    const reason = kind === 'exception' && exceptionCode !== undefined ? exceptionReason(exceptionCode) : REASON_OF[kind];
    const all = { busId, unit, code: exceptionCode, ...params };
    // Codes without their own sentence fall back to the generic exception text.
    const text = bilingual(hasMessage(`reason.${reason}`) ? `reason.${reason}` : `reason.${REASON_OF[kind]}`, all);
    super(text.en);
    this.name = 'ModbusError';
    this.reason = reason;
    this.text = text;
  }

  /** Same as `reason`, where errno-style readers (LinkErrorInfo, logs) look for a code. */
  get code(): string {
    return this.reason;
  }

  /** The device itself answered: it is alive even if it refused. */
  get deviceAnswered(): boolean {
    return this.kind === 'exception' && this.exceptionCode !== 10 && this.exceptionCode !== 11;
  }
}

export function isModbusError(e: unknown): e is ModbusError {
  return e instanceof ModbusError;
}
