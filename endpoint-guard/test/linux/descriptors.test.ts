import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseUsbDescriptors, MAX_DESCRIPTORS_BYTES } from '../../src/linux/descriptors.js';
import { buildDescriptors } from '../../src/fake-kernel/descriptor-builder.js';

const stick = buildDescriptors({
  vid: 0x1a86,
  pid: 0xe026,
  configurations: [{ value: 1, interfaces: [{ number: 0, class: 3, subClass: 1, protocol: 1 }, { number: 1, class: 8, subClass: 6, protocol: 0x50 }] }],
});
const CONFIG_AT = 18;

describe('parseUsbDescriptors', () => {
  it('reads the device descriptor and each interface of a composite device', () => {
    const p = parseUsbDescriptors(stick);
    expect(p.problems).toEqual([]);
    expect(p.device).toMatchObject({ vid: 0x1a86, pid: 0xe026, numConfigurations: 1 });
    expect(p.configurations).toHaveLength(1);
    expect(p.configurations[0]!.interfaces).toEqual([
      { config: 1, number: 0, alternate: 0, class: 3, subClass: 1, protocol: 1 },
      { config: 1, number: 1, alternate: 0, class: 8, subClass: 6, protocol: 0x50 },
    ]);
  });

  it('reads several configurations and alternate settings', () => {
    const bytes = buildDescriptors({
      vid: 1,
      pid: 2,
      configurations: [
        { value: 1, interfaces: [{ number: 0, class: 3, subClass: 1, protocol: 1 }, { number: 0, alternate: 1, class: 8 }] },
        { value: 2, interfaces: [{ number: 0, class: 0xff }] },
      ],
    });
    const p = parseUsbDescriptors(bytes);
    expect(p.problems).toEqual([]);
    expect(p.configurations.map((c) => c.interfaces.map((i) => `${i.config}.${i.number}.${i.alternate}:${i.class}`))).toEqual([['1.0.0:3', '1.0.1:8'], ['2.0.0:255']]);
  });

  it('skips class-specific and endpoint descriptors it does not need', () => {
    const bytes = Buffer.from(stick);
    expect(bytes.includes(Buffer.from([9, 0x21]))).toBe(true); // the HID descriptor is there
    expect(parseUsbDescriptors(bytes).configurations[0]!.interfaces).toHaveLength(2);
  });

  it.each([
    ['empty', Buffer.alloc(0), 'no-device-descriptor'],
    ['a short device descriptor', stick.subarray(0, 10), 'no-device-descriptor'],
    ['a wrong first descriptor type', Buffer.from([18, 2, ...Buffer.alloc(16)]), 'no-device-descriptor'],
    ['only a device descriptor', stick.subarray(0, 18), 'no-configuration'],
  ])('flags %s', (_name, bytes, problem) => {
    expect(parseUsbDescriptors(bytes).problems).toContain(problem);
  });

  it('stops on a zero bLength inside a configuration instead of looping', () => {
    const bytes = Buffer.from(stick);
    bytes[CONFIG_AT + 9] = 0; // first descriptor after the config header
    const p = parseUsbDescriptors(bytes);
    expect(p.problems).toContain('zero-length');
    expect(p.configurations[0]!.interfaces).toEqual([]);
  });

  it('stops on a zero bLength where a configuration should start', () => {
    const bytes = Buffer.concat([stick.subarray(0, 18), Buffer.from([0, 2, 0, 0])]);
    expect(parseUsbDescriptors(bytes).problems).toContain('zero-length');
  });

  it('flags a bLength of 1, which could never advance past its own type byte', () => {
    const bytes = Buffer.from(stick);
    bytes[CONFIG_AT + 9] = 1;
    expect(parseUsbDescriptors(bytes).problems).toContain('zero-length');
  });

  it('flags a truncated configuration but keeps the interfaces it could read', () => {
    const cut = stick.subarray(0, stick.length - 10);
    const p = parseUsbDescriptors(cut);
    expect(p.problems).toContain('truncated');
    expect(p.configurations[0]!.interfaces.length).toBeGreaterThanOrEqual(1);
  });

  it('survives an absurd wTotalLength (65535) without reading past the buffer', () => {
    const bytes = Buffer.from(stick);
    bytes.writeUInt16LE(0xffff, CONFIG_AT + 2);
    const p = parseUsbDescriptors(bytes);
    expect(p.problems).toContain('truncated');
    expect(p.configurations[0]!.interfaces).toHaveLength(2);
  });

  it('flags a wTotalLength smaller than the configuration header', () => {
    const bytes = Buffer.from(stick);
    bytes.writeUInt16LE(4, CONFIG_AT + 2);
    expect(parseUsbDescriptors(bytes).problems).toContain('bad-total-length');
  });

  it('flags a descriptor whose bLength runs past the configuration', () => {
    const bytes = Buffer.from(stick);
    const total = bytes.readUInt16LE(CONFIG_AT + 2);
    // Shrink the configuration so its last descriptor sticks out of it, then pad.
    bytes.writeUInt16LE(total - 3, CONFIG_AT + 2);
    const p = parseUsbDescriptors(bytes);
    expect(p.problems.some((x) => x === 'overrun' || x === 'stray-descriptor' || x === 'truncated')).toBe(true);
  });

  it('flags an absurd bLength of 255 on an interface near the end', () => {
    const bytes = Buffer.concat([stick, Buffer.from([255, 4, 0, 0, 1, 8, 6, 0x50, 0])]);
    bytes.writeUInt16LE(bytes.readUInt16LE(CONFIG_AT + 2) + 9, CONFIG_AT + 2);
    const p = parseUsbDescriptors(bytes);
    expect(p.problems).toContain('truncated');
  });

  it('flags a configuration nested inside a configuration', () => {
    const inner = Buffer.from([9, 2, 9, 0, 0, 2, 0, 0x80, 50]);
    const bytes = Buffer.concat([stick, inner]);
    bytes.writeUInt16LE(bytes.readUInt16LE(CONFIG_AT + 2) + 9, CONFIG_AT + 2);
    expect(parseUsbDescriptors(bytes).problems).toContain('stray-descriptor');
  });

  it('flags an interface descriptor shorter than 9 bytes', () => {
    const bytes = Buffer.concat([stick, Buffer.from([5, 4, 2, 0, 8])]);
    bytes.writeUInt16LE(bytes.readUInt16LE(CONFIG_AT + 2) + 5, CONFIG_AT + 2);
    const p = parseUsbDescriptors(bytes);
    expect(p.problems).toContain('overrun');
    expect(p.configurations[0]!.interfaces).toHaveLength(2);
  });

  it('bounds a huge descriptors file and a flood of interfaces', () => {
    const many = Buffer.concat(Array.from({ length: 600 }, (_, n) => Buffer.from([9, 4, n & 0xff, n >> 8, 0, 8, 6, 0x50, 0])));
    const header = Buffer.from([9, 2, 0, 0, 255, 1, 0, 0x80, 50]);
    header.writeUInt16LE(9 + many.length, 2);
    const p = parseUsbDescriptors(Buffer.concat([stick.subarray(0, 18), header, many]));
    expect(p.problems).toContain('too-many-interfaces');
    expect(parseUsbDescriptors(Buffer.concat([stick, Buffer.alloc(MAX_DESCRIPTORS_BYTES)])).problems).toContain('too-large');
  });

  it('never throws or hangs on arbitrary bytes, and never invents data beyond them (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (tail, withHeader) => {
        const bytes = withHeader ? Buffer.concat([stick.subarray(0, 18), Buffer.from(tail)]) : Buffer.from(tail);
        const p = parseUsbDescriptors(bytes);
        const n = p.configurations.reduce((s, c) => s + c.interfaces.length, 0);
        expect(n * 9).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutations of a valid stick (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(stick.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(stick.length), (edits, cut) => {
        const bytes = Buffer.from(stick);
        for (const [at, v] of edits) bytes[at] = v;
        parseUsbDescriptors(bytes.subarray(0, cut));
      }),
      { numRuns: 2000 },
    );
  });
});
