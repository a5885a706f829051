import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnergyConfigError, configError, issue } from './errors.js';
import { MeterMapSchema } from './map-schema.js';
import { resolveMap, type ResolvedMeterMap } from './resolved-map.js';

/** device-drivers/meter-maps, the same from src/meters and dist/meters. */
export const BUILT_IN_MAP_DIR = fileURLToPath(new URL('../../meter-maps/', import.meta.url));

/**
 * Register maps by model id. Built-in maps come from meter-maps/*.json; a school
 * adds its own with `add()` (a parsed JSON/YAML object), possibly extending a
 * built-in one for a firmware variant.
 */
export class MeterMapRegistry {
  private readonly maps = new Map<string, ResolvedMeterMap>();
  private static builtIns: MeterMapRegistry | null = null;

  /** A fresh registry holding the built-in maps (shared maps are immutable, so cheap). */
  static withBuiltIns(): MeterMapRegistry {
    if (!MeterMapRegistry.builtIns) {
      const r = new MeterMapRegistry();
      r.loadDirectory(BUILT_IN_MAP_DIR);
      MeterMapRegistry.builtIns = r;
    }
    const copy = new MeterMapRegistry();
    for (const [k, v] of MeterMapRegistry.builtIns.maps) copy.maps.set(k, v);
    return copy;
  }

  /** Loads every *.json map of a directory; parents are loaded before variants. */
  loadDirectory(dir: string): ResolvedMeterMap[] {
    const pending = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const file = join(dir, f);
        try {
          return { file, data: JSON.parse(readFileSync(file, 'utf8')) as unknown };
        } catch (e) {
          throw configError('energy.invalid_map', { model: f, detail: (e as Error).message });
        }
      });
    const loaded: ResolvedMeterMap[] = [];
    while (pending.length) {
      const ready = pending.findIndex((p) => {
        const ext = (p.data as { extends?: unknown }).extends;
        return typeof ext !== 'string' || this.maps.has(ext);
      });
      const next = pending.splice(ready === -1 ? 0 : ready, 1)[0]!;
      loaded.push(this.add(next.data));
    }
    return loaded;
  }

  /** Validates and adds a map; throws EnergyConfigError (energy.invalid_map / energy.unknown_model). */
  add(input: unknown): ResolvedMeterMap {
    const parsed = MeterMapSchema.safeParse(input);
    if (!parsed.success) {
      const model = typeof (input as { model?: unknown })?.model === 'string' ? (input as { model: string }).model : '?';
      throw new EnergyConfigError(
        parsed.error.issues.map((i) => issue('energy.invalid_map', { model, detail: `${i.path.join('.') || '(root)'}: ${i.message}` })),
      );
    }
    const m = parsed.data;
    let parent: ResolvedMeterMap | null = null;
    if (m.extends) {
      parent = this.maps.get(m.extends) ?? null;
      if (!parent) throw configError('energy.unknown_model', { deviceId: m.model, model: m.extends, known: this.models().join(', ') });
    }
    const resolved = resolveMap(m, parent);
    this.maps.set(resolved.model, resolved);
    return resolved;
  }

  has(model: string): boolean {
    return this.maps.has(model);
  }

  get(model: string): ResolvedMeterMap | undefined {
    return this.maps.get(model);
  }

  /** The map of `model`, or EnergyConfigError(energy.unknown_model) naming the device that asked. */
  require(model: string, deviceId = '-'): ResolvedMeterMap {
    const m = this.maps.get(model);
    if (!m) throw configError('energy.unknown_model', { deviceId, model, known: this.models().join(', ') });
    return m;
  }

  models(): string[] {
    return [...this.maps.keys()].sort();
  }
}

/** The built-in map of `model`; throws EnergyConfigError(energy.unknown_model). */
export function loadMeterMap(model: string, registry: MeterMapRegistry = MeterMapRegistry.withBuiltIns()): ResolvedMeterMap {
  return registry.require(model);
}
