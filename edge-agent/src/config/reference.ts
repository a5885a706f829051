import { z } from 'zod';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  properties?: Record<string, JsonSchemaNode>;
}

/**
 * Renders the configuration reference (docs/configuration.md) from the schema, so
 * the documentation can never drift from what the daemon accepts.
 */
export function renderConfigReference(ConfigSchema: z.ZodType): string {
  const root = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const rows: string[] = [];
  const walk = (node: JsonSchemaNode, path: string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const p = [...path, key];
      if (child.properties) {
        rows.push(`| **${p.join('.')}** | section | | ${child.description ?? ''} |`);
        walk(child, p);
      } else {
        rows.push(`| \`${p.join('.')}\` | ${describeType(child)} | ${child.default === undefined ? '' : '`' + JSON.stringify(child.default) + '`'} | ${child.description ?? ''} |`);
      }
    }
  };
  walk(root, []);
  const envExample = 'CAMPUS_EDGE__HTTP__PORT=8081';
  return [
    '# Configuration reference / 配置参考',
    '',
    '<!-- Generated from edge-agent/src/config/schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'The edge reads one YAML (or JSON) file: `campus-edge start --config /etc/campus-edge/config.yaml`.',
    `Every key can be overridden by an environment variable: upper-case path joined with \`__\` after \`CAMPUS_EDGE__\`, e.g. \`${envExample}\` or \`CAMPUS_EDGE__DATA_DIR=/var/lib/campus-edge\`.`,
    'Validate a file without starting: `campus-edge config check <file>`. An invalid file stops start-up with exit code 2 and names each bad key.',
    '',
    '边缘网关读取一个 YAML（或 JSON）配置文件；任何键都可以用环境变量覆盖（见上例）。用 `campus-edge config check <文件>` 可在不启动的情况下检查配置。',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function describeType(n: JsonSchemaNode): string {
  if (n.enum) return n.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const t = Array.isArray(n.type) ? n.type.join('/') : (n.type ?? 'any');
  const bounds: string[] = [];
  if (n.minimum !== undefined) bounds.push(`≥ ${n.minimum}`);
  if (n.maximum !== undefined) bounds.push(`≤ ${n.maximum}`);
  if (n.minLength) bounds.push(`min length ${n.minLength}`);
  if (n.pattern) bounds.push(`pattern \`${n.pattern.replaceAll('|', '\\|')}\``);
  return bounds.length ? `${t} (${bounds.join(', ')})` : t;
}
