import { z } from 'zod';
import type { Connection } from '../serial/reconnectLoop.js';
import { BackoffSchema, parseOptions } from '../serial/options.js';
import { ReconnectingByteTransport, type ByteLink, type ByteLinkHooks } from '../serial/transport.js';
import type { DriverLogger } from '../serial/logger.js';
import type { Device, HIDAsync } from 'node-hid';
import { BootKeyboardDecoder, type BootKeyboardStats } from './bootKeyboard.js';

export const HidDeviceSelectorSchema = z.union([
  z.object({ path: z.string().min(1) }),
  z.object({
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
    /** Tells two scanners of the same model apart. */
    serialNumber: z.string().min(1).optional(),
  }),
]);

export const HidKeyboardTransportOptionsSchema = z.object({
  device: HidDeviceSelectorSchema,
  reportId: z.number().int().min(0).max(255).nullable().default(null),
  terminatorKeys: z.array(z.enum(['enter', 'tab'])).min(1).default(['enter']),
  /**
   * 'libusb' detaches the kernel keyboard driver so scans stop being typed into the
   * console; 'hidraw' (default) shares the device with it. See firmware-notes.
   */
  driver: z.enum(['hidraw', 'libusb']).default('hidraw'),
  backoff: BackoffSchema.default({ initialDelayMs: 100, maxDelayMs: 1000 }),
});
export type HidKeyboardTransportOptions = z.input<typeof HidKeyboardTransportOptionsSchema>;

/** The part of node-hid used here. */
interface NodeHid {
  setDriverType(type: 'hidraw' | 'libusb'): void;
  devicesAsync(vid: number, pid: number): Promise<Device[]>;
  HIDAsync: { open(path: string): Promise<HIDAsync> };
}
let nodeHid: Promise<NodeHid> | null = null;
/** Loaded on first use, so the decoder and the rest of the package work where libusb is absent. */
function loadNodeHid(): Promise<NodeHid> {
  // node-hid is CommonJS: its exports arrive as the ESM default.
  nodeHid ??= import('node-hid').then((m) => (m as { default?: unknown }).default as NodeHid);
  return nodeHid;
}

class HidDeviceMissing extends Error {
  readonly code = 'ENODEV';
}

/**
 * A USB-HID keyboard-wedge scanner as a byte transport: input reports are decoded to the
 * characters the scanner "typed" (Enter becomes CR), so the QR reader's framing applies
 * unchanged. The node-hid part is deliberately thin; decoding is tested on recorded reports.
 */
export class HidKeyboardTransport extends ReconnectingByteTransport {
  readonly options: z.output<typeof HidKeyboardTransportOptionsSchema>;
  readonly #decoder: BootKeyboardDecoder;

  constructor(options: HidKeyboardTransportOptions, logger?: DriverLogger) {
    const parsed = parseOptions(HidKeyboardTransportOptionsSchema, options, 'hid');
    const d = parsed.device;
    const id = 'path' in d ? `hid:${d.path}` : `hid:${hex4(d.vendorId)}:${hex4(d.productId)}${d.serialNumber ? `:${d.serialNumber}` : ''}`;
    super(id, 'hid', { backoff: parsed.backoff, logger });
    this.options = parsed;
    this.#decoder = new BootKeyboardDecoder({ reportId: parsed.reportId, terminatorKeys: parsed.terminatorKeys });
  }

  decoderStats(): BootKeyboardStats {
    return this.#decoder.stats();
  }

  protected async connectLink(hooks: ByteLinkHooks): Promise<Connection<ByteLink>> {
    const hid = await loadNodeHid();
    hid.setDriverType(this.options.driver);
    const path = await this.#resolvePath(hid);
    const device = await hid.HIDAsync.open(path);
    this.#decoder.reset();
    device.on('data', (report: Buffer) => {
      const bytes = this.#decoder.decode(report);
      if (bytes === null) this.logger.debug({ transport: this.id, report: report.toString('hex') }, 'malformed HID report skipped');
      else if (bytes.length > 0) hooks.data(bytes);
    });
    device.on('error', (err: Error) => hooks.lost(err));
    return {
      link: {
        write: async () => {
          throw Object.assign(new Error('a keyboard-wedge scanner takes no commands'), { code: 'ENOTSUP' });
        },
      },
      destroy: async () => {
        device.removeAllListeners('data');
        await device.close();
      },
    };
  }

  async #resolvePath(hid: NodeHid): Promise<string> {
    const d = this.options.device;
    if ('path' in d) return d.path;
    const candidates = (await hid.devicesAsync(d.vendorId, d.productId)).filter((dev) => dev.path && (!d.serialNumber || dev.serialNumber === d.serialNumber));
    // Composite scanners expose several interfaces; the keyboard one is usage page 1, usage 6.
    const found = candidates.find((dev) => dev.usagePage === 1 && dev.usage === 6) ?? candidates[0];
    if (!found?.path) throw new HidDeviceMissing(`no HID device ${hex4(d.vendorId)}:${hex4(d.productId)} plugged in`);
    return found.path;
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
