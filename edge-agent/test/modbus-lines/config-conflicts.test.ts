import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/edge-config.js';

/** A gate relay board and the energy meters on one RS-485 line must agree about it, before anything starts. */
describe('one Modbus line in access and energy configuration', () => {
  const config = (relayParity: 'none' | 'even', relayUnit: number) => ({
    access: {
      zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus' }],
      gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'b1', in: 0, out: 1 } }],
      relayBuses: [{ id: 'line1', link: { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600, parity: relayParity } }],
      relayBoards: [{ id: 'b1', bus: 'line1', unitId: relayUnit, channels: 8 }],
    },
    energy: {
      enabled: true,
      buildings: [{ id: 'teach', name: '教学楼' }],
      buses: [{ id: 'meters', transport: { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600 }, meters: [{ id: 'm1', unit: 10, model: 'eastron-sdm120', building: 'teach' }] }],
    },
  });

  it('accepts a relay board and a meter sharing a line with the same settings', () => {
    expect(() => parseConfig(config('none', 1))).not.toThrow();
  });

  it('refuses different framing on one line, naming both keys in Chinese and English', () => {
    const err = (() => {
      try {
        parseConfig(config('even', 1));
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('accepted');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('energy.buses.0');
    expect(err.message).toMatch(/access\.relayBuses\[0\][\s\S]*energy\.buses\[0\]/);
    expect(err.message).toMatch(/设置不一致/);
  });

  it('refuses one unit address used by a relay board and a meter', () => {
    expect(() => parseConfig(config('none', 10))).toThrow(/地址 10 同时被 access\.relayBuses\[0\] 和 energy\.buses\[0\] 使用/);
  });
});
