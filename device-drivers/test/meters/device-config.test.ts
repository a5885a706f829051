import { describe, expect, it } from 'vitest';
import { resolveMeterDevice, resolveMeterDevices } from '../../src/meters/device-config.js';
import { EnergyConfigError } from '../../src/meters/errors.js';
import { MeterMapRegistry } from '../../src/meters/registry.js';

const reg = () => MeterMapRegistry.withBuiltIns();

function errorOf(fn: () => unknown): EnergyConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnergyConfigError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('meter device configuration', () => {
  it('polls every point of the map by default, energy on the slow interval', () => {
    const d = resolveMeterDevice({ id: 'b1-f2-ac', unit: 3, model: 'eastron-sdm630', intervals: { fastMs: 2000, slowMs: 30000 } }, reg());
    expect(d.points).toHaveLength(85);
    expect(d.points.find((p) => p.name === 'power_active_total')!.intervalMs).toBe(2000);
    expect(d.points.find((p) => p.name === 'energy_active_import_total')!.intervalMs).toBe(30000);
  });

  it('takes a subset, per-point intervals and an extra register inside the documented space', () => {
    const d = resolveMeterDevice(
      {
        id: 'm1',
        unit: 1,
        model: 'chint-dtsu666',
        points: ['power_active_total', { name: 'ct_ratio', address: 6, type: 'int16', unit: '' }],
        pointIntervalsMs: { power_active_total: 1000 },
      },
      reg(),
    );
    expect(d.points.map((p) => [p.name, p.table, p.address, p.intervalMs])).toEqual([
      ['power_active_total', 'holding', 0x2012, 1000],
      ['ct_ratio', 'holding', 6, 5000],
    ]);
  });

  it('names an unknown model clearly, in zh-CN and English, with the known ones', () => {
    const e = errorOf(() => resolveMeterDevice({ id: 'lib-1', unit: 1, model: 'sdm630' }, reg()));
    expect(e.code).toBe('energy.unknown_model');
    expect(e.text['zh-CN']).toContain('设备 lib-1：未知的表计型号“sdm630”');
    expect(e.text.en).toContain('Device lib-1: unknown meter model "sdm630"');
    expect(e.text.en).toContain('eastron-sdm630');
  });

  it('names an unknown point', () => {
    const e = errorOf(() => resolveMeterDevice({ id: 'm1', unit: 1, model: 'eastron-sdm120', points: ['voltage', 'voltage_l2'] }, reg()));
    expect(e.issues.map((i) => i.code)).toEqual(['energy.unknown_point']);
    expect(e.text.en).toMatch(/model eastron-sdm120 has no point "voltage_l2"/);
    expect(e.text['zh-CN']).toMatch(/没有测点“voltage_l2”/);
  });

  it('refuses a register outside the map or in an unreadable range', () => {
    const outside = errorOf(() => resolveMeterDevice({ id: 'm1', unit: 1, model: 'eastron-sdm630', points: [{ name: 'mystery', address: 0x500, unit: 'W' }] }, reg()));
    expect(outside.code).toBe('energy.register_outside_map');
    expect(outside.text.en).toContain('input register 0x0500');
    expect(outside.text['zh-CN']).toContain('不在型号 eastron-sdm630 的寄存器表范围内');

    const registry = reg();
    registry.add({ model: 'holey', unreadable: [{ table: 'holding', from: 10, to: 19 }], points: [{ name: 'a', address: 0, unit: 'V' }] });
    const hole = errorOf(() => resolveMeterDevice({ id: 'm2', unit: 1, model: 'holey', points: [{ name: 'b', address: 12, unit: 'V' }] }, registry));
    expect(hole.code).toBe('energy.register_unreadable');
  });

  it('reports every problem of a device at once', () => {
    const e = errorOf(() =>
      resolveMeterDevice({ id: 'm1', unit: 1, model: 'eastron-sdm120', points: ['nope', { name: 'x', address: 0x9000, unit: 'V' }], pointIntervalsMs: { ghost: 1000 } }, reg()),
    );
    expect(e.issues.map((i) => i.code)).toEqual(['energy.unknown_point', 'energy.register_outside_map', 'energy.unknown_point']);
  });

  it('refuses malformed entries through the schema', () => {
    const e = errorOf(() => resolveMeterDevice({ id: 'bad id!', unit: 0, model: 'eastron-sdm120' }, reg()));
    expect(e.issues.every((i) => i.code === 'energy.invalid_device')).toBe(true);
    expect(e.text.en).toMatch(/id/);
    expect(e.text.en).toMatch(/unit/);
  });

  it('rejects wrong devices of a bus but keeps the rest', () => {
    const { devices, rejected } = resolveMeterDevices(
      [
        { id: 'a', unit: 1, model: 'eastron-sdm630' },
        { id: 'b', unit: 2, model: 'no-such-meter' },
        { id: 'a', unit: 3, model: 'eastron-sdm120' },
        { id: 'c', unit: 1, model: 'eastron-sdm120' },
        { id: 'd', unit: 4, model: 'chint-ddsu666' },
      ],
      reg(),
    );
    expect(devices.map((d) => d.id)).toEqual(['a', 'd']);
    expect(rejected.map((r) => [r.deviceId, r.error.code])).toEqual([
      ['b', 'energy.unknown_model'],
      ['a', 'energy.duplicate_device'],
      ['c', 'energy.duplicate_unit'],
    ]);
    expect(rejected[2]!.error.text['zh-CN']).toContain('相同的站号 1');
  });
});
