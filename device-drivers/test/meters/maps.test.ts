import { describe, expect, it } from 'vitest';
import { EnergyConfigError } from '../../src/meters/errors.js';
import { MeterMapRegistry, loadMeterMap } from '../../src/meters/registry.js';
import { planRequests } from '../../src/modbus/plan.js';

const addr = (model: string, point: string) => loadMeterMap(model).pointByName.get(point);

describe('built-in meter maps', () => {
  it('loads every built-in map', () => {
    expect(MeterMapRegistry.withBuiltIns().models()).toEqual([
      'chint-ddsu666',
      'chint-ddsu666-fc03',
      'chint-dtsu666',
      'chint-dtsu666-fc04',
      'chint-dtsu666-solax',
      'eastron-sdm120',
      'eastron-sdm630',
      'waveshare-relay-8',
    ]);
  });

  it('has the Eastron SDM630 at its documented input registers, float32, and 40 parameters per request', () => {
    const m = loadMeterMap('eastron-sdm630');
    expect(m.limits.maxRegisters).toBe(80);
    expect(addr('eastron-sdm630', 'voltage_l1')).toMatchObject({ table: 'input', address: 0x00, type: 'float32', wordOrder: 'big', unit: 'V' });
    expect(addr('eastron-sdm630', 'power_active_total')).toMatchObject({ address: 0x34, unit: 'W' });
    expect(addr('eastron-sdm630', 'frequency')).toMatchObject({ address: 0x46, unit: 'Hz' });
    expect(addr('eastron-sdm630', 'energy_active_import_total')).toMatchObject({ address: 0x48, unit: 'kWh', interval: 'slow', counter: true });
    expect(addr('eastron-sdm630', 'voltage_l1_l2')).toMatchObject({ address: 0xc8 });
    expect(addr('eastron-sdm630', 'energy_active_total')).toMatchObject({ address: 0x156 });
    // Every point fits in the documented table and no two points share a register.
    const used = new Set<number>();
    for (const p of m.points) {
      expect(p.address + p.length - 1).toBeLessThanOrEqual(0x17d);
      for (let a = p.address; a < p.address + p.length; a++) {
        expect(used.has(a), `register ${a} used twice`).toBe(false);
        used.add(a);
      }
    }
  });

  it('has the SDM120 single-phase points', () => {
    expect(addr('eastron-sdm120', 'voltage')).toMatchObject({ address: 0, table: 'input' });
    expect(addr('eastron-sdm120', 'energy_active_import_total')).toMatchObject({ address: 0x48 });
    expect(loadMeterMap('eastron-sdm120').serial.baudRate).toBe(2400);
  });

  it('documents the DTSU666 scaling in the map: tenths of volts, mA, tenths of watts', () => {
    expect(addr('chint-dtsu666', 'voltage_l1')).toMatchObject({ table: 'holding', address: 0x2006, scale: 0.1, unit: 'V' });
    expect(addr('chint-dtsu666', 'current_l1')).toMatchObject({ address: 0x200c, scale: 0.001 });
    expect(addr('chint-dtsu666', 'power_active_total')).toMatchObject({ address: 0x2012, scale: 0.1, unit: 'W' });
    expect(addr('chint-dtsu666', 'frequency')).toMatchObject({ address: 0x2044, scale: 0.01 });
    expect(addr('chint-dtsu666', 'energy_active_import_total')).toMatchObject({ address: 0x401e, scale: 1 });
  });

  it('serves firmware variants as maps that extend the base', () => {
    expect(addr('chint-dtsu666-fc04', 'voltage_l1')).toMatchObject({ table: 'input', address: 0x2006, scale: 0.1 });
    expect(loadMeterMap('chint-dtsu666-fc04').readable.every((r) => r.table === 'input')).toBe(true);
    expect(addr('chint-dtsu666-solax', 'energy_active_import_total')).toMatchObject({ table: 'holding', address: 0x101e });
    expect(addr('chint-dtsu666-solax', 'voltage_l1')).toMatchObject({ address: 0x2006 });
    expect(addr('chint-ddsu666', 'power_active_total')).toMatchObject({ table: 'input', address: 0x2004, scale: 1000 });
    expect(addr('chint-ddsu666-fc03', 'power_active_total')).toMatchObject({ table: 'holding', scale: 1000 });
  });

  it('says where its facts come from', () => {
    for (const model of MeterMapRegistry.withBuiltIns().models()) expect(loadMeterMap(model).sources.length).toBeGreaterThan(0);
  });

  it('plans the full SDM630 map into 6 requests of at most 80 registers', () => {
    const m = loadMeterMap('eastron-sdm630');
    const plan = planRequests(
      m.points.map((p) => ({ key: p.name, unit: 1, table: p.table, address: p.address, length: p.length })),
      { ...m.limits, unreadable: m.unreadable },
    );
    expect(plan).toHaveLength(6);
    expect(plan.every((r) => r.count <= 80)).toBe(true);
  });
});

describe('user-defined maps', () => {
  it('accepts a school map with integer types, word order and scale', () => {
    const reg = MeterMapRegistry.withBuiltIns();
    const m = reg.add({
      model: 'acme-pm10',
      title: { 'zh-CN': '某品牌电表', en: 'ACME PM10' },
      defaults: { table: 'holding', type: 'uint32', wordOrder: 'little' },
      readable: [{ table: 'holding', from: 0, to: 0x20 }],
      points: [
        { name: 'voltage', address: 0, type: 'uint16', scale: 0.1, unit: 'V', range: [0, 500] },
        { name: 'energy_active_import_total', address: '0x10', scale: 0.01, unit: 'kWh', counter: true, interval: 'slow' },
      ],
    });
    expect(m.pointByName.get('energy_active_import_total')).toMatchObject({ type: 'uint32', wordOrder: 'little', address: 16, length: 2 });
    expect(m.pointByName.get('voltage')!.label['zh-CN']).toBe('电压');
    expect(reg.has('acme-pm10')).toBe(true);
    expect(MeterMapRegistry.withBuiltIns().has('acme-pm10')).toBe(false);
  });

  it('rejects a broken map with every problem, in both languages', () => {
    const reg = MeterMapRegistry.withBuiltIns();
    let err: EnergyConfigError | undefined;
    try {
      reg.add({
        model: 'bad-map',
        readable: [{ table: 'input', from: 0, to: 9 }],
        unreadable: [{ table: 'input', from: 4, to: 5 }],
        points: [
          { name: 'a', address: 4, table: 'input', type: 'float32', unit: 'V' },
          { name: 'b', address: 20, table: 'input', type: 'uint16', unit: 'A' },
          { name: 'c', address: 0, table: 'coil', type: 'float32', unit: 'V' },
        ],
      });
    } catch (e) {
      err = e as EnergyConfigError;
    }
    expect(err).toBeInstanceOf(EnergyConfigError);
    // c is both of the wrong type for its table and outside the readable ranges.
    expect(err!.issues.map((i) => i.code)).toEqual(['energy.invalid_map', 'energy.invalid_map', 'energy.invalid_map', 'energy.invalid_map']);
    expect(err!.text.en).toMatch(/"a".*unreadable/);
    expect(err!.text.en).toMatch(/"b".*outside/);
    expect(err!.text.en).toMatch(/"c": type float32 does not fit table coil/);
    expect(err!.text['zh-CN']).toMatch(/寄存器表 bad-map 无效/);
  });

  it('rejects schema errors with the path that is wrong', () => {
    expect(() => MeterMapRegistry.withBuiltIns().add({ model: 'x', points: [{ name: 'Volt', address: 0, unit: 'V' }] })).toThrow(/points.0.name/);
    expect(() => MeterMapRegistry.withBuiltIns().add({ model: 'x', points: [{ name: 'v', address: '0x1FFFF', unit: 'V' }] })).toThrow(/points.0.address/);
  });

  it('refuses a variant of an unknown model', () => {
    expect(() => MeterMapRegistry.withBuiltIns().add({ model: 'x', extends: 'eastron-sdm999' })).toThrow(EnergyConfigError);
  });
});
