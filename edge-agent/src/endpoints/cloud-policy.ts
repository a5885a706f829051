import type { ChangeRecord } from '@campus/protocol/sync/changes';
import { UsbPolicyRecordSchema } from '@campus/protocol/sync/records';
import type { EndpointGuardService } from './service.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../core/log.js';

/**
 * A USB policy record from the cloud (`{ target, content }`, the same shape IT pushes
 * in the panel) becomes a new signed policy version on the edge, pushed to the PCs it
 * targets. Policy versions are append-only, so the feed seq of the last record applied
 * per key is remembered: a restart's replay never pushes the same record twice. A
 * deleted record pushes nothing (IT pushes the next policy instead).
 */
export const CloudUsbPolicySchema = UsbPolicyRecordSchema;

export class UsbPolicyProjection {
  constructor(
    private readonly service: () => EndpointGuardService | null,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly invalid: (kind: string) => void,
  ) {}

  async apply(changes: readonly ChangeRecord[]): Promise<void> {
    for (const c of changes) if (c.kind === 'usb_policy' && c.op === 'upsert' && c.data) await this.one(c.key, c.seq, c.data);
  }

  async replay(records: ReadonlyArray<{ key: string; data: Record<string, unknown>; feedSeq: number }>): Promise<void> {
    for (const r of [...records].sort((a, b) => a.feedSeq - b.feedSeq)) await this.one(r.key, r.feedSeq, r.data);
  }

  private async one(key: string, seq: number, data: Record<string, unknown>): Promise<void> {
    const service = this.service();
    if (!service) return; // endpoint guard off or not started: kept in cloud_records, applied on a later start
    const setting = `sync.usb_policy.applied.${key}`;
    if (seq <= Number(this.store.setting(setting) ?? 0)) return;
    const parsed = CloudUsbPolicySchema.safeParse(data);
    if (!parsed.success) {
      this.invalid('usb_policy');
      this.log.warn({ key, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'cloud usb_policy record refused');
    } else {
      try {
        await service.push({ target: parsed.data.target, content: parsed.data.content }, `cloud:usb_policy:${key}`);
      } catch (err) {
        // An unknown PC or group: recorded, not retried in a loop; IT sees it in the log and metrics.
        this.invalid('usb_policy');
        this.log.warn({ key, err: (err as Error).message }, 'cloud usb_policy could not be pushed');
      }
    }
    this.store.setSetting(setting, String(seq));
  }
}
