import { GuardAgent } from '../agent.js';
import type { LoadedConfig } from '../config/load-config.js';
import { FakeUsbKernel, type FakeDeviceSpec } from '../fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../fake-kernel/sample-devices.js';
import type { Logger } from '../log/logger.js';

/**
 * A school PC for demos: the real agent on a fake kernel, with a keyboard and mouse
 * plugged since boot and, in a loop, the day's visitors to the front USB port — a
 * student's stick, the teacher's drive, a keyboard+storage attack stick, a phone, a
 * printer. The edge sees a real agent (same MQTT, same policies, same events).
 */
const VISITORS: Array<{ spec: FakeDeviceSpec; holdMs: number }> = [
  { spec: SAMPLE_DEVICES.studentDrive, holdMs: 4000 },
  { spec: SAMPLE_DEVICES.teacherDrive, holdMs: 6000 },
  { spec: SAMPLE_DEVICES.keyboardStorageStick, holdMs: 4000 },
  { spec: SAMPLE_DEVICES.phone, holdMs: 4000 },
  { spec: SAMPLE_DEVICES.printer, holdMs: 4000 },
];

export interface SimulatedPc {
  agent: GuardAgent;
  kernel: FakeUsbKernel;
  stop(): Promise<void>;
}

export async function startSimulatedPc(loaded: LoadedConfig, log: Logger, opts: { gapMs?: number } = {}): Promise<SimulatedPc> {
  const kernel = await FakeUsbKernel.create({ buses: 2 });
  await kernel.plug(SAMPLE_DEVICES.keyboard, '1-1');
  await kernel.plug(SAMPLE_DEVICES.mouse, '1-2');
  const agent = new GuardAgent({ loaded: { ...loaded, config: { ...loaded.config, sysfsRoot: kernel.root } }, log, kernelEvents: kernel });
  await agent.start();

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const gap = opts.gapMs ?? 3000;
  let i = 0;
  const next = () => {
    if (stopped) return;
    const v = VISITORS[i++ % VISITORS.length]!;
    void kernel
      .plug(v.spec, '1-3')
      .then(() => new Promise((r) => (timer = setTimeout(r, v.holdMs))))
      .then(() => kernel.unplug('1-3'))
      .catch((err: unknown) => log.warn('demo step failed', { err }))
      .finally(() => {
        if (!stopped) timer = setTimeout(next, gap);
      });
  };
  timer = setTimeout(next, gap);

  return {
    agent,
    kernel,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await agent.stop();
      await kernel.close();
    },
  };
}
