import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiError } from '../http/errors.js';

/**
 * Printed QR tags of checkpoints (and later assets): `CT1:<site>:<kind>:<id>:<sig>`,
 * where sig is an HMAC-SHA256 (128 bits, base64url) over everything before it with a
 * key that never leaves this edge (`<dataDir>/facilities/tag.key`, 0600). A tag of
 * another school names another site and is refused as such; an edited or made-up tag
 * fails the signature. ':' is not part of any id, so the fields cannot be shifted.
 */
/** cp: checkpoint; as: asset; rm: room (scanned first in a stock-take). */
export type TagKind = 'cp' | 'as' | 'rm';
const PREFIX = 'CT1';
const TAG_RE = /^CT1:([A-Za-z0-9][A-Za-z0-9_.-]{0,63}):(cp|as|rm):([A-Za-z0-9][A-Za-z0-9_.-]{0,63}):([A-Za-z0-9_-]{22})$/;

export class TagSigner {
  readonly #key: Buffer;

  constructor(
    private readonly site: string,
    key: Buffer,
  ) {
    this.#key = key;
  }

  /** Loads the edge's tag key, creating it on first start. */
  static open(dataDir: string, site: string): TagSigner {
    const file = join(dataDir, 'facilities', 'tag.key');
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length < 32) throw new Error(`facilities: tag key ${file} is shorter than 32 bytes`);
    return new TagSigner(site, key);
  }

  #sig(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest().subarray(0, 16).toString('base64url');
  }

  sign(kind: TagKind, id: string): string {
    const body = `${PREFIX}:${this.site}:${kind}:${id}`;
    return `${body}:${this.#sig(body)}`;
  }

  /** The id a tag names, or an ApiError saying why it is refused. */
  verify(tag: string, kind: TagKind): string {
    const m = TAG_RE.exec(tag.trim());
    if (!m || m[2] !== kind) throw new ApiError(400, 'facilities.tag_malformed');
    const [, site, , id, sig] = m as unknown as [string, string, string, string, string];
    if (site !== this.site) throw new ApiError(400, 'facilities.tag_other_school', { tagSite: site });
    const want = Buffer.from(this.#sig(`${PREFIX}:${site}:${kind}:${id}`));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw new ApiError(400, 'facilities.tag_forged');
    return id;
  }
}
