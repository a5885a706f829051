import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { verifySignedPolicy, type PolicyKeyring, type SignedUsbPolicy } from '@campus/protocol/usb/signing';
import type { UsbPolicy } from '@campus/protocol/usb/policy';
import type { Logger } from '../log/logger.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * The last good policy, kept on disk so the PC enforces it after a reboot with the edge
 * unreachable. The signed envelope is stored as received and verified again on load:
 * someone who edits the file on the PC (say, to set killSwitch) gets the built-in
 * policy, not their edit.
 */
export interface StoredPolicy {
  envelope: SignedUsbPolicy;
  policy: UsbPolicy;
  digest: string;
}

export class PolicyStore {
  readonly path: string;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    this.path = join(dir, 'policy.json');
  }

  async load(keyring: PolicyKeyring): Promise<StoredPolicy | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.log.error('cannot read the saved policy; using the built-in policy', { path: this.path, err: e });
      return null;
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      envelope = null;
    }
    const v = verifySignedPolicy(envelope, keyring);
    if (!v.ok) {
      const aside = `${this.path}.rejected-${Date.now()}`;
      this.log.error('the saved policy fails verification; set aside, using the built-in policy', { reason: v.reason, detail: v.detail, aside });
      await rename(this.path, aside).catch(() => {});
      return null;
    }
    return { envelope: envelope as SignedUsbPolicy, policy: v.policy, digest: v.digest };
  }

  async save(envelope: SignedUsbPolicy): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path, `${JSON.stringify(envelope)}\n`);
  }
}
