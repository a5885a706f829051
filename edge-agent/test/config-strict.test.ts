import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { ConfigError, ConfigSchema, parseConfig } from '../src/edge-config.js';
import { closestKey, flattenIssues, inputReaching, knownKeysAt, sampleInput, walkSchema, type ObjectNode } from '../src/config/strict-walk.js';

const BOGUS = 'zzNotAKey';

/** Parses an input that reaches the node with one unknown key there; true when zod names that key at that path. */
function refusesUnknownKeyAt(root: z.ZodType, node: ObjectNode): { refused: boolean; path: PropertyKey[] } {
  const value = { ...(sampleInput(node.schema) as object), [BOGUS]: 1 };
  const { input, path } = inputReaching(root, node.steps, value);
  const result = root.safeParse(input);
  if (result.success) return { refused: false, path };
  const refused = flattenIssues(result.error.issues).some((i) => i.code === 'unrecognized_keys' && i.keys?.includes(BOGUS) && JSON.stringify(i.path) === JSON.stringify(path));
  return { refused, path };
}

describe('every object of the configuration is strict', () => {
  const { objects, opaque } = walkSchema(ConfigSchema);

  it('the walk reaches every section, the driver objects inside them and union options', () => {
    const paths = objects.map((o) => o.path);
    for (const p of [
      '(root)',
      'site',
      'mqtt.tls',
      'cloud',
      'access',
      'access.readers[]',
      'access.readers[].framing',
      'access.readers[].feedback',
      'access.readers[].transport<kind=serial>',
      'access.readers[].transport<kind=tcp>',
      'access.relayBuses[]',
      'access.relayBuses[].link<kind=rtu>',
      'access.relayBuses[].backoff',
      'access.relayBoards[]',
      'access.gates[].turnstile.passSensor',
      'energy.buses[]',
      'energy.buses[].transport<kind=rtu-over-tcp>',
      'energy.buses[].reconnect',
      'energy.buses[].meters[]',
      'energy.buses[].meters[].points[]<option 2>',
      'energy.buses[].relays[]',
      'energy.maps[]',
      'energy.maps[].points[]',
      'energy.buildings[].hours<option 2>',
      'energy.tariff.prices',
      'energy.telemetry.deadband',
    ]) {
      expect(paths).toContain(p);
    }
    expect(objects.length).toBeGreaterThan(70);
  });

  it('no object lets unknown keys through (z.object strips them, looseObject keeps them)', () => {
    expect(objects.filter((o) => !o.strict).map((o) => o.path)).toEqual([]);
  });

  it('no place takes any value unchecked (z.unknown / z.any)', () => {
    expect(opaque).toEqual([]);
  });

  it('an unknown key at each object is refused by a parse, at its path', () => {
    const notRefused: string[] = [];
    for (const node of objects) {
      const r = refusesUnknownKeyAt(ConfigSchema, node);
      if (!r.refused) notRefused.push(`${node.path} (${r.path.join('.')})`);
    }
    expect(notRefused).toEqual([]);
  });

  it('and through parseConfig each one stops start-up naming the full path', () => {
    for (const node of objects.filter((o) => o.path.startsWith('access.readers') || o.path.startsWith('energy.buses'))) {
      const { input, path } = inputReaching(ConfigSchema, node.steps, { ...(sampleInput(node.schema) as object), [BOGUS]: 1 });
      let err: unknown;
      try {
        parseConfig(input);
      } catch (e) {
        err = e;
      }
      expect(err, node.path).toBeInstanceOf(ConfigError);
      const full = [...path, BOGUS].join('.');
      expect((err as ConfigError).issues.some((i) => i.startsWith(`${full}: 未知的配置键 ${BOGUS}`) && i.includes(`unknown key ${BOGUS}`)), `${node.path}: ${(err as ConfigError).issues.join('\n')}`).toBe(true);
    }
  });
});

describe('unknown keys inside union options', () => {
  it('are named with their path, beside the other problems of the option the value was meant for', () => {
    let err: ConfigError | undefined;
    try {
      parseConfig({
        energy: { buildings: [{ id: 'a', name: 'A', hours: { school: 5, nonschool: [] } }] },
        access: { readers: [{ id: 'r', gate: 'g', direction: 'in', transport: { kind: 'serial', pth: '/dev/ttyUSB0' } }] },
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.issues).toEqual(
      expect.arrayContaining([
        'energy.buildings.0.hours.school: Invalid input: expected array, received number',
        'energy.buildings.0.hours.nonschool: 未知的配置键 nonschool，是否想写 nonSchool？ / unknown key nonschool, did you mean nonSchool?',
        'access.readers.0.transport.pth: 未知的配置键 pth，是否想写 path？ / unknown key pth, did you mean path?',
      ]),
    );
  });

  it('a key put in the wrong section points to where it belongs', () => {
    expect(() => parseConfig({ access: { relayBoards: [{ id: 'b1', bus: 'x', pulsMs: 200 }] } })).toThrow(
      'access.relayBoards.0.pulsMs: 未知的配置键 pulsMs；pulseMs 是 access.gates[].turnstile 下的键 / unknown key pulsMs; pulseMs is a key of access.gates[].turnstile',
    );
  });
});

describe('the walk itself', () => {
  // Every construct the walk goes through, with one non-strict object hidden in each.
  const loose = (tag: string) => z.object({ [tag]: z.number().optional() });
  const synthetic = z.strictObject({
    plain: loose('a'),
    list: z.array(loose('b')).default([]),
    maybe: loose('c').optional(),
    withDefault: loose('d').default({}),
    withPrefault: loose('e').prefault({}),
    byName: z.record(z.string(), loose('f')),
    either: z.union([z.literal('none'), loose('g')]),
    tagged: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('x') }), z.object({ kind: z.literal('y'), h: z.number() })]),
    pre: z.preprocess((v) => v, loose('i')),
    piped: loose('j').transform((v) => v),
    tuple: z.tuple([z.string(), loose('k')]),
    nullable: loose('l').nullable(),
    lazy: z.lazy(() => loose('m')),
    kept: z.looseObject({ n: z.number() }),
    anything: z.unknown(),
    fine: z.strictObject({ o: z.number() }),
  });

  it('finds the non-strict object behind every kind of wrapper, and only those', () => {
    const { objects, opaque } = walkSchema(synthetic);
    expect(objects.filter((o) => !o.strict).map((o) => o.path).sort()).toEqual(
      ['byName.*', 'either<option 2>', 'kept', 'lazy', 'list[]', 'maybe', 'nullable', 'piped', 'plain', 'pre', 'tagged<kind=y>', 'tuple[1]', 'withDefault', 'withPrefault'].sort(),
    );
    expect(opaque.sort()).toEqual(['anything', 'kept.*']);
    expect(objects.filter((o) => o.strict).map((o) => o.path).sort()).toEqual(['(root)', 'fine', 'tagged<kind=x>']);
  });

  it('the parse check tells a strict object from a stripping one', () => {
    const { objects } = walkSchema(synthetic);
    const verdict = Object.fromEntries(objects.map((o) => [o.path, refusesUnknownKeyAt(synthetic, o).refused]));
    expect(verdict).toMatchObject({ '(root)': true, fine: true, 'tagged<kind=x>': true, plain: false, 'list[]': false, 'byName.*': false, pre: false, 'tuple[1]': false, lazy: false });
  });

  it('suggests the key a typo meant', () => {
    expect(closestKey('framming', ['framing', 'feedback'])).toBe('framing');
    expect(closestKey('timeoutMS', ['timeoutMs', 'connectTimeoutMs'])).toBe('timeoutMs');
    expect(closestKey('ratedCurentA', ['ratedCurrentA', 'room'])).toBe('ratedCurrentA');
    expect(closestKey('colour', ['id', 'unit'])).toBeNull();
    expect(knownKeysAt(ConfigSchema, ['access', 'readers', 0])).toContain('framing');
    expect(knownKeysAt(ConfigSchema, ['energy', 'buses', 3, 'transport'])).toEqual(expect.arrayContaining(['path', 'host', 'lineBaudRate']));
  });
});

describe('`campus-edge config check` refuses typos that used to pass as "configuration is valid"', () => {
  const BIN = new URL('../dist/bin/campus-edge.js', import.meta.url).pathname;
  // A whole, valid gate and meter installation; each case puts one typo into it.
  const valid = () => ({
    dataDir: '/tmp/campus-edge-typo-check',
    access: {
      zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus' }],
      gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'b1', in: 0, out: 1, pulseMs: 300 } }],
      readers: [{ id: 'east-in', gate: 'east', direction: 'in', transport: { kind: 'serial', path: '/dev/ttyUSB1' }, framing: { terminator: 'CR' } }],
      relayBuses: [{ id: 'line1', link: { kind: 'rtu', path: '/dev/ttyUSB0' }, timeoutMs: 300 }],
      relayBoards: [{ id: 'b1', bus: 'line1', unitId: 1 }],
    },
    energy: {
      enabled: true,
      buildings: [{ id: 'teach', name: '教学楼' }],
      buses: [
        {
          id: 'meters',
          transport: { kind: 'tcp', host: '127.0.0.1', port: 502 },
          meters: [{ id: 'm1', unit: 10, model: 'eastron-sdm120', building: 'teach', ratedCurrentA: 32 }],
          relays: [{ id: 'k1', unit: 2, profile: 'generic-coils' }],
        },
      ],
    },
  });
  type Cfg = ReturnType<typeof valid>;
  const check = (config: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'campus-typo-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify(config));
      return spawnSync(process.execPath, [BIN, 'config', 'check', file], { encoding: 'utf8', timeout: 20_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const rename = (o: Record<string, unknown>, from: string, to: string) => {
    o[to] = o[from];
    delete o[from];
  };

  it('the installation without typos is valid', () => {
    const r = check(valid());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('configuration is valid');
  });

  const cases: Array<[string, (c: Cfg) => void, string, string | null]> = [
    ['access.readers[].framming', (c) => rename(c.access.readers[0]!, 'framing', 'framming'), 'access.readers.0.framming', 'framing'],
    ['access.relayBoards[].pulsMs', (c) => Object.assign(c.access.relayBoards[0]!, { pulsMs: 500 }), 'access.relayBoards.0.pulsMs', 'pulseMs'],
    ['access.relayBuses[].timeoutMS', (c) => rename(c.access.relayBuses[0]!, 'timeoutMs', 'timeoutMS'), 'access.relayBuses.0.timeoutMS', 'timeoutMs'],
    ['energy.buses[].relays[].profil', (c) => rename(c.energy.buses[0]!.relays[0]!, 'profile', 'profil'), 'energy.buses.0.relays.0.profil', 'profile'],
    ['energy.buses[].meters[].ratedCurentA', (c) => rename(c.energy.buses[0]!.meters[0]!, 'ratedCurrentA', 'ratedCurentA'), 'energy.buses.0.meters.0.ratedCurentA', 'ratedCurrentA'],
  ];
  for (const [name, typo, path, meant] of cases) {
    it(`${name}: exit 2, the full path and the key meant, zh-CN first`, () => {
      const config = valid();
      typo(config);
      const r = check(config);
      expect(r.status).toBe(2);
      expect(r.stdout).not.toContain('configuration is valid');
      const line = r.stderr.split('\n').find((l) => l.includes(path));
      expect(line, r.stderr).toBeDefined();
      const key = path.split('.').at(-1)!;
      expect(line).toContain(`未知的配置键 ${key}`);
      expect(line).toContain(`unknown key ${key}`);
      expect(line!.indexOf('未知的配置键')).toBeLessThan(line!.indexOf('unknown key'));
      if (meant) expect(line).toContain(meant);
    });
  }
  it('a typo gets "did you mean" in both languages', () => {
    const config = valid();
    rename(config.access.readers[0]!, 'framing', 'framming');
    expect(check(config).stderr).toContain('access.readers.0.framming: 未知的配置键 framming，是否想写 framing？ / unknown key framming, did you mean framing?');
  });
});
