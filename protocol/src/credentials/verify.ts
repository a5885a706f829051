import { verify } from 'node:crypto';
import { bilingual, type Params } from '../i18n/index.js';
import { decodeCredential, signedBytes } from './codec.js';
import type { Keyring } from './keys.js';
import { credentialReasonMessageId, type CredentialReason } from './reasons.js';
import type { Credential } from './schema.js';

export interface VerifyOptions {
  /**
   * The lowest card version still valid for a person (the edge raises it when a card is
   * reported lost and reissued). Undefined = no revocation known for that person.
   */
  minCardVersion?: (personId: string) => number | undefined;
  /** Slack for a pass window when the edge clock is a little off; default 0. */
  clockToleranceMs?: number;
  /** Time zone for the times in failure texts; default Asia/Shanghai. */
  timeZone?: string;
}

export interface VerifiedCredential {
  ok: true;
  kid: string;
  credential: Credential;
}

export interface VerifyFailure {
  ok: false;
  reason: CredentialReason;
  /** Present once the key is known. */
  kid?: string;
  /**
   * Present only when the signature was valid (expired, not yet valid, revoked): who it
   * was, for the access event. Never set for forged or damaged credentials.
   */
  credential?: Credential;
  /** Values for the reason's message text. */
  params: Params;
}

export type VerifyResult = VerifiedCredential | VerifyFailure;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatTime(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}

/**
 * Decodes, checks key id, signature, validity window and card version, in that order, so
 * a forged credential is reported as forged rather than as expired. Never throws: a gate
 * must always get an answer with a reason.
 */
export function verifyCredential(
  text: unknown,
  keyring: Keyring,
  now: number | Date,
  options: VerifyOptions = {},
): VerifyResult {
  try {
    return verifyOrThrow(text, keyring, typeof now === 'number' ? now : now.getTime(), options);
  } catch (err) {
    return { ok: false, reason: 'credential.malformed', params: { detail: (err as Error)?.message ?? String(err) } };
  }
}

function verifyOrThrow(text: unknown, keyring: Keyring, now: number, options: VerifyOptions): VerifyResult {
  const decoded = decodeCredential(text);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, params: { detail: decoded.detail } };
  const { kid, credential } = decoded;

  const key = keyring.get(kid);
  if (!key) return { ok: false, reason: 'credential.unknown_key', kid, params: { kid } };
  if (!verify(null, signedBytes(decoded.body), key, decoded.signature)) {
    return { ok: false, reason: 'credential.bad_signature', kid, params: { kid } };
  }

  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const tolerance = options.clockToleranceMs ?? 0;
  if (credential.kind !== 'card') {
    if (now + tolerance < credential.validFrom) {
      return {
        ok: false,
        reason: 'credential.not_yet_valid',
        kid,
        credential,
        params: { validFrom: formatTime(credential.validFrom, timeZone) },
      };
    }
    if (now - tolerance >= credential.validUntil) {
      return {
        ok: false,
        reason: 'credential.expired',
        kid,
        credential,
        params: { validUntil: formatTime(credential.validUntil, timeZone) },
      };
    }
  } else {
    const current = options.minCardVersion?.(credential.personId);
    if (current !== undefined && credential.cardVersion < current) {
      return {
        ok: false,
        reason: 'credential.revoked',
        kid,
        credential,
        params: { cardVersion: credential.cardVersion, currentVersion: current },
      };
    }
  }
  return { ok: true, kid, credential };
}

/** The failure as text in both languages, zh-CN first, for logs and the gate view. */
export function explainCredentialFailure(failure: Pick<VerifyFailure, 'reason' | 'params'>): {
  'zh-CN': string;
  en: string;
} {
  return bilingual(credentialReasonMessageId(failure.reason), failure.params);
}
