import type { RegistryAction, WindowsPlan } from './device-install-plan.js';
import type { WindowsUsbNode } from './windows-devices.js';

/**
 * The one seam between a Windows plan and a Windows machine. The plan is pure data;
 * a host executes its steps. command-host.ts implements it with reg.exe, pnputil.exe
 * and PowerShell (not verified on real Windows, see firmware-notes/pc-agent-windows.md).
 */
export interface WindowsDeviceHost {
  setRegistryValue(key: string, name: string, type: 'REG_DWORD' | 'REG_SZ', value: number | string): Promise<void>;
  deleteRegistryKey(key: string): Promise<void>;
  pnputil(args: readonly string[]): Promise<{ code: number; output: string }>;
  listUsbNodes(): Promise<WindowsUsbNode[]>;
}

export interface PlanStepResult {
  step: string;
  ok: boolean;
  error?: string;
}

/**
 * Executes a plan in order: registry first (so a device re-plugged meanwhile is already
 * refused), then pnputil for present devices. A failing step is recorded and the rest
 * still run — half a plan beats none — and the caller reports failures to the edge.
 */
export async function applyWindowsPlan(plan: WindowsPlan, host: WindowsDeviceHost): Promise<PlanStepResult[]> {
  const results: PlanStepResult[] = [];
  const attempt = async (step: string, run: () => Promise<void>) => {
    try {
      await run();
      results.push({ step, ok: true });
    } catch (e) {
      results.push({ step, ok: false, error: (e as Error).message });
    }
  };
  for (const a of plan.registry) await attempt(describeRegistry(a), () => runRegistry(a, host));
  for (const p of plan.pnputil) {
    await attempt(`pnputil ${p.args.join(' ')}`, async () => {
      const r = await host.pnputil(p.args);
      if (r.code !== 0) throw new Error(`pnputil exited ${r.code}: ${r.output.slice(0, 200)}`);
    });
  }
  return results;
}

function runRegistry(a: RegistryAction, host: WindowsDeviceHost): Promise<void> {
  return a.op === 'delete-key' ? host.deleteRegistryKey(a.key) : host.setRegistryValue(a.key, a.name, a.type, a.value);
}

function describeRegistry(a: RegistryAction): string {
  return a.op === 'delete-key' ? `reg delete ${a.key}` : `reg set ${a.key}\\${a.name} = ${String(a.value)}`;
}
