import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type YamlModule from 'yaml';
import type { z } from 'zod';
import { bilingual } from '@campus/protocol/i18n';
import { closestKey, closestKeyElsewhere, knownKeysAt } from './strict-walk.js';
import './messages.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const ENV_PREFIX = 'CAMPUS_EDGE__';

/** Reads a YAML or JSON config file; a missing or unparsable file is a ConfigError. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`配置文件无法读取 / cannot read config file ${file}: ${(e as Error).message}`, []);
  }
  try {
    if (extname(file) === '.json') return JSON.parse(text);
    // Loaded only for a YAML file: the parser is ~1 MB of the daemon's memory otherwise.
    const YAML = createRequire(import.meta.url)('yaml') as typeof YamlModule;
    return YAML.parse(text) ?? {};
  } catch (e) {
    throw new ConfigError(`配置文件格式错误 / config file ${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message}`, []);
  }
}

/**
 * Applies CAMPUS_EDGE__A__B=value overrides. Keys are matched case-insensitively
 * against the schema's camelCase keys; values are parsed as JSON when they look
 * like JSON (numbers, booleans) and kept as strings otherwise.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone((raw ?? {}) as Record<string, unknown>);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(toCamel);
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = parseEnvValue(value);
  }
  return out;
}

function toCamel(s: string): string {
  return s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseEnvValue(v: string): unknown {
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(v)) return JSON.parse(v);
  return v;
}

/**
 * One line per problem, "path: message". An unknown key is named with its full path
 * and, when a known key is close, the one it probably meant (zh-CN, then English).
 * A value no option of a union takes is explained by the option it was meant for (the
 * one with the fewest problems, not refused for its kind alone), instead of a bare
 * "invalid input".
 */
export function formatIssues(error: z.ZodError, schema: z.ZodType): string[] {
  const lines: string[] = [];
  const unknownKeyLines = (path: PropertyKey[], keys: readonly string[]) =>
    keys.map((key) => {
      const full = [...path, key].map(String).join('.');
      const suggestion = closestKey(key, knownKeysAt(schema, path));
      const elsewhere = suggestion ? null : closestKeyElsewhere(schema, key);
      const text = suggestion
        ? bilingual('config.unknown_key_suggest', { key, suggestion })
        : elsewhere
          ? bilingual('config.unknown_key_elsewhere', { key, suggestion: elsewhere.key, where: elsewhere.path })
          : bilingual('config.unknown_key', { key });
      return `${full}: ${text['zh-CN']} / ${text.en}`;
    });
  const emit = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]) => {
    for (const i of issues) {
      const path = [...prefix, ...i.path];
      if (i.code === 'unrecognized_keys') {
        lines.push(...unknownKeyLines(path, i.keys));
        continue;
      }
      if (i.code === 'invalid_union') {
        // The option the value was meant for: not one refused for its kind alone, then the fewest problems.
        const meant = i.errors.filter((b) => !b.every((x) => x.path.length === 0 && (x.code === 'invalid_type' || x.code === 'invalid_value'))).sort((x, y) => x.length - y.length)[0];
        if (meant) {
          emit(meant, path);
          continue;
        }
      }
      lines.push(`${path.length ? path.join('.') : '(root)'}: ${i.message}`);
    }
  };
  emit(error.issues, []);
  return [...new Set(lines)];
}
