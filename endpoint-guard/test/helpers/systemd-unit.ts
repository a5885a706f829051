import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const UNIT_PATH = fileURLToPath(new URL('../../systemd/campus-guard.service', import.meta.url));

/** The node flags the shipped unit starts the agent with (between the node binary and the script). */
export function unitNodeFlags(): string[] {
  const line = readFileSync(UNIT_PATH, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error('no ExecStart in the unit');
  const words = line.slice('ExecStart='.length).trim().split(/\s+/);
  const script = words.findIndex((w) => w.endsWith('campus-guard.js'));
  return words.slice(1, script);
}
