import { readFile } from 'node:fs/promises';
import { UsbPolicySchema, type UsbPolicy } from '@campus/protocol/usb/policy';
import { verifySignedPolicy } from '@campus/protocol/usb/signing';
import { loadAgentConfig } from '../config/load-config.js';
import { planWindowsEnforcement } from './device-install-plan.js';
import { applyWindowsPlan } from './windows-host.js';
import type { WindowsUsbNode } from './windows-devices.js';

/**
 * `campus-guard windows-plan --policy <file> [--devices <file>] [--config <file> --apply]`
 * prints the plan for a policy (a signed envelope or a bare policy) as JSON. --apply runs
 * it on this Windows PC, and only for a signed policy verified with the config's keys.
 */
export async function runWindowsPlan(opts: { policyFile: string; devicesFile?: string; configFile?: string; apply: boolean }): Promise<number> {
  const raw = JSON.parse(await readFile(opts.policyFile, 'utf8')) as Record<string, unknown>;
  let policy: UsbPolicy;
  let verified = false;
  if ('signature' in raw && opts.configFile) {
    const loaded = await loadAgentConfig(opts.configFile);
    const v = verifySignedPolicy(raw, loaded.keyring);
    if (!v.ok) {
      console.error(`policy refused: ${v.reason} (${v.detail})`);
      return 65;
    }
    policy = v.policy;
    verified = true;
  } else {
    policy = UsbPolicySchema.parse('policy' in raw ? raw.policy : raw);
  }
  const devices: WindowsUsbNode[] = opts.devicesFile ? (JSON.parse(await readFile(opts.devicesFile, 'utf8')) as WindowsUsbNode[]) : [];
  if (opts.apply) {
    if (process.platform !== 'win32' || !verified) {
      console.error('--apply needs Windows and a signed policy verified with --config');
      return 64;
    }
    const { CommandWindowsHost } = await import('./command-host.js');
    const host = new CommandWindowsHost();
    const plan = planWindowsEnforcement(policy, await host.listUsbNodes(), Date.now());
    const results = await applyWindowsPlan(plan, host);
    console.log(JSON.stringify({ plan, results }, null, 2));
    return results.every((r) => r.ok) ? 0 : 1;
  }
  console.log(JSON.stringify(planWindowsEnforcement(policy, devices, Date.now()), null, 2));
  return 0;
}
