import { execFile } from 'node:child_process';
import type { WindowsDeviceHost } from './windows-host.js';
import type { WindowsUsbNode } from './windows-devices.js';

/**
 * WindowsDeviceHost on a real PC: reg.exe for the policy values, pnputil.exe for present
 * devices, and PowerShell's PnP cmdlets (JSON output, independent of the display
 * language — pnputil's text output is localised on Chinese Windows) to list devices.
 * Needs an elevated process (the service runs as LocalSystem).
 * NOT verified on real Windows: see firmware-notes/pc-agent-windows.md.
 */
const LIST_SCRIPT = `
$ErrorActionPreference = 'Stop'
Get-PnpDevice -PresentOnly | Where-Object { $_.InstanceId -like 'USB\\*' } | ForEach-Object {
  $p = Get-PnpDeviceProperty -InstanceId $_.InstanceId -KeyName DEVPKEY_Device_HardwareIds,DEVPKEY_Device_CompatibleIds,DEVPKEY_Device_Parent
  [pscustomobject]@{
    instanceId = $_.InstanceId
    hardwareIds = @(($p | Where-Object KeyName -eq 'DEVPKEY_Device_HardwareIds').Data)
    compatibleIds = @(($p | Where-Object KeyName -eq 'DEVPKEY_Device_CompatibleIds').Data)
    parentInstanceId = ($p | Where-Object KeyName -eq 'DEVPKEY_Device_Parent').Data
    disabled = ($_.ConfigManagerErrorCode -eq 22)
  }
} | ConvertTo-Json -Depth 3 -Compress
`;

export class CommandWindowsHost implements WindowsDeviceHost {
  async setRegistryValue(key: string, name: string, type: 'REG_DWORD' | 'REG_SZ', value: number | string): Promise<void> {
    await run('reg.exe', ['add', key, '/v', name, '/t', type, '/d', String(value), '/f']);
  }

  async deleteRegistryKey(key: string): Promise<void> {
    // reg.exe fails when the key does not exist; an absent list is what we wanted anyway.
    await run('reg.exe', ['delete', key, '/f']).catch(() => {});
  }

  async pnputil(args: readonly string[]): Promise<{ code: number; output: string }> {
    try {
      const out = await run('pnputil.exe', [...args]);
      return { code: 0, output: out };
    } catch (e) {
      const err = e as { code?: number; stdout?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, output: err.stdout ?? String(e) };
    }
  }

  async listUsbNodes(): Promise<WindowsUsbNode[]> {
    const out = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', LIST_SCRIPT]);
    const parsed = JSON.parse(out.trim() || '[]') as unknown;
    const rows = Array.isArray(parsed) ? parsed : [parsed];
    return rows.filter(isNode);
  }
}

function isNode(v: unknown): v is WindowsUsbNode {
  const n = v as WindowsUsbNode;
  return typeof n?.instanceId === 'string' && Array.isArray(n.hardwareIds) && Array.isArray(n.compatibleIds);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { windowsHide: true, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(Object.assign(err, { stdout }));
      else resolve(stdout);
    });
  });
}
