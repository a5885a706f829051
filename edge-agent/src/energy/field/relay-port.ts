import type { ModbusBus, RelayBoard } from '@campus/device-drivers/modbus/index';

/**
 * What the circuit service needs of a relay board. The drivers' RelayBoard
 * gives switching and the read-back (both jump the bus queue); routine reads
 * to notice on-site changes go behind the meter polls.
 */
export interface RelayPort {
  readonly id: string;
  readonly channels: number;
  set(channel: number, on: boolean): Promise<void>;
  /** Read-back right after a command. */
  readStates(): Promise<boolean[]>;
  /** Routine read, queued behind meter polls. */
  pollStates(): Promise<boolean[]>;
}

export class ModbusRelayPort implements RelayPort {
  constructor(
    private readonly bus: ModbusBus,
    readonly board: RelayBoard,
  ) {}

  get id(): string {
    return this.board.id;
  }

  get channels(): number {
    return this.board.config.channels;
  }

  set(channel: number, on: boolean): Promise<void> {
    return this.board.set(channel, on);
  }

  readStates(): Promise<boolean[]> {
    return this.board.readStates();
  }

  async pollStates(): Promise<boolean[]> {
    const c = this.board.config;
    const r = await this.bus.execute(c.unit, { kind: 'read', table: 'coil', address: c.coilBase, count: c.channels }, { priority: 'poll' });
    if (r.kind !== 'bits') throw new Error('unexpected reply kind');
    return r.values;
  }
}
