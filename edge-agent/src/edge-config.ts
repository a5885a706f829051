/**
 * The edge's configuration schema, composed from the core sections
 * (config/schema.ts), the school's shared facts (school/config.ts) and every
 * registered domain's own section (src/domains.ts): the single source of the
 * config's types, defaults and documentation (docs/configuration.md).
 */
import type { z } from 'zod';
import { accessLineClaims } from './access/config.js';
import { composeConfigSchema } from './config/schema.js';
import { ConfigError, formatIssues, readConfigFile, applyEnvOverrides } from './config/load.js';
import { DOMAINS, type RegisteredDomain } from './domains.js';
import { energyLineClaims } from './energy/config.js';
import { findLineConflicts } from './modbus-lines/index.js';

type DomainSections = { [D in RegisteredDomain as D['configKey']]: D['config'] };

// The registered domains' config sections by their keys.
const sections = Object.fromEntries(DOMAINS.map((d) => [d.configKey, d.config])) as DomainSections;

export const ConfigSchema = composeConfigSchema(sections).superRefine((c, ctx) => {
  // Gate relay boards and energy meters may share an RS-485 line, if they agree about it (checked within each section by its own schema).
  if (!c.energy.enabled) return;
  for (const conflict of findLineConflicts([...accessLineClaims(c.access), ...energyLineClaims(c.energy.buses)])) {
    const [a, b] = conflict.keys;
    if (a.split('.')[0] === b.split('.')[0]) continue;
    const later = /^(\w+)\.(\w+)\[(\d+)\]$/.exec(b);
    ctx.addIssue({ code: 'custom', path: later ? [later[1]!, later[2]!, Number(later[3])] : [], message: `${conflict.text['zh-CN']} / ${conflict.text.en}` });
  }
});

export type EdgeConfig = z.infer<typeof ConfigSchema>;
export type EdgeConfigInput = z.input<typeof ConfigSchema>;

/** Validates raw config (already merged with env); throws ConfigError naming each bad key. */
export function parseConfig(raw: unknown): EdgeConfig {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issues = formatIssues(result.error, ConfigSchema);
    throw new ConfigError(`配置无效 / invalid configuration:\n  ${issues.join('\n  ')}`, issues);
  }
  return result.data;
}

export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): EdgeConfig {
  const raw = file ? readConfigFile(file) : {};
  return parseConfig(applyEnvOverrides(raw, env));
}

export { ConfigError, applyEnvOverrides, readConfigFile };
