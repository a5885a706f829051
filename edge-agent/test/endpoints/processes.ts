import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The PC side as separate programs, the way a school PC runs it: the real campus-guard
 * agent (endpoint-guard's bin) and the agent package's fake Linux USB kernel, each in its
 * own process. edge-agent never imports endpoint-guard (DESIGN.md §2); these are started
 * by file path, like any other program the edge talks to over the network.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GUARD_BIN = join(REPO_ROOT, 'endpoint-guard', 'src', 'bin', 'campus-guard.ts');
const FAKE_KERNEL_MODULE = join(REPO_ROOT, 'endpoint-guard', 'src', 'fake-kernel', 'fake-usb-kernel.ts');
/** TypeScript sources of the workspaces, as the tests and benchmarks run them. */
const NODE_ARGS = ['--conditions=source', '--import', 'tsx'];

/** A device as the fake kernel takes it (endpoint-guard's FakeDeviceSpec). */
export interface DeviceSpec {
  vid: string;
  pid: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
  deviceClass?: number;
  interfaces: Array<{ number: number; class: number; subClass?: number; protocol?: number }>;
}

export interface DeviceView {
  name: string;
  authorized: boolean;
  interfaces: Array<{ name: string; number: number; class: number; authorized: boolean; driver: string | null }>;
}

// Runs inside the child: hosts the fake kernel and answers one JSON line per command.
const HOST_SCRIPT = `
import { createInterface } from 'node:readline';
const { FakeUsbKernel } = await import(process.argv[2]);
const kernel = await FakeUsbKernel.create({ buses: 2 });
process.stdout.write(JSON.stringify({ ready: kernel.root }) + '\\n');
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  try {
    let result = null;
    if (cmd.op === 'plug') result = await kernel.plug(cmd.spec, cmd.at);
    else if (cmd.op === 'unplug') await kernel.unplug(cmd.name);
    else if (cmd.op === 'inspect') { await kernel.idle(); result = await kernel.inspect(cmd.name); }
    else if (cmd.op === 'controllers') { await kernel.idle(); result = kernel.buses.map((b) => kernel.controllerState(b)); }
    process.stdout.write(JSON.stringify({ id: cmd.id, result }) + '\\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: cmd.id, error: String(err) }) + '\\n');
  }
}
await kernel.close();
`;

export class FakeKernelProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly root: string,
  ) {}

  static async start(workDir: string): Promise<FakeKernelProcess> {
    const script = join(workDir, 'fake-kernel-host.mjs');
    writeFileSync(script, HOST_SCRIPT);
    const child = spawn(process.execPath, [...NODE_ARGS, script, pathToFileURL(FAKE_KERNEL_MODULE).href], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const root = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`fake kernel exited (${code}): ${stderr}`)));
      lines.once('line', (l) => resolve((JSON.parse(l) as { ready: string }).ready));
    });
    const k = new FakeKernelProcess(child, root);
    lines.on('line', (l) => {
      const msg = JSON.parse(l) as { id: number; result?: unknown; error?: string };
      const w = k.waiting.get(msg.id);
      k.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error));
      else w?.resolve(msg.result);
    });
    return k;
  }

  private call<T>(cmd: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(JSON.stringify({ ...cmd, id }) + '\n');
    });
  }

  plug(spec: DeviceSpec, at?: string): Promise<string> {
    return this.call({ op: 'plug', spec, at });
  }

  unplug(name: string): Promise<void> {
    return this.call({ op: 'unplug', name });
  }

  inspect(name: string): Promise<DeviceView | null> {
    return this.call({ op: 'inspect', name });
  }

  controllers(): Promise<Array<{ authorizedDefault: number; interfaceAuthorizedDefault: boolean }>> {
    return this.call({ op: 'controllers' });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    await exited;
  }
}

/** The real campus-guard agent, started with a config file as a PC's service would. */
export class GuardAgentProcess {
  output = '';

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static start(configPath: string): GuardAgentProcess {
    return new GuardAgentProcess(spawn(process.execPath, [...NODE_ARGS, GUARD_BIN, 'start', '--config', configPath], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: the PC loses power or the agent is killed; the kernel keeps what was written. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    await exited;
  }
}

export function writeConfig(path: string, config: unknown): void {
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Runs the real agent's `campus-guard check-config` on a file: its exit code and what it printed. */
export function checkAgentConfig(configPath: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, GUARD_BIN, 'check-config', '--config', configPath], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
