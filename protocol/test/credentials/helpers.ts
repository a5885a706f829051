import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { CardCredential, PickupPass, VisitorPass } from '@campus/protocol/credentials/index';

export interface IssuerKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function newIssuer(): IssuerKeys {
  return generateKeyPairSync('ed25519');
}

export const T = Date.UTC(2026, 2, 2, 0, 30); // 2026-03-02 08:30 in Beijing
export const HOUR = 3_600_000;

export const card: CardCredential = { kind: 'card', personId: '2023010123', cardVersion: 1 };

export const visitor: VisitorPass = {
  kind: 'visitor',
  passId: 4711,
  validFrom: T,
  validUntil: T + 4 * HOUR,
  oneUse: true,
  hostPersonId: 'T2019001',
  gates: [1, 3],
  zones: [],
};

export const pickup: PickupPass = {
  kind: 'pickup',
  passId: 815,
  validFrom: T,
  validUntil: T + 120 * 24 * HOUR,
  oneUse: false,
  holderPersonId: '13800138000',
};

/** The largest values the layout promises to fit in 120 characters. */
const LATEST_START = Date.UTC(2055, 10, 1);
export const worstCase = {
  card: { kind: 'card', personId: 'ZZZZZZZZZZZZZZZZ', cardVersion: 16_383 } satisfies CardCredential,
  visitor: {
    kind: 'visitor',
    passId: 2 ** 21 - 1,
    validFrom: LATEST_START,
    validUntil: LATEST_START + 366 * 24 * HOUR,
    oneUse: true,
    hostPersonId: '_ZZZZZZZ', // 8 characters of the wide alphabet: the costliest realistic 工号
    gates: [127, 127],
    zones: [127, 127],
  } satisfies VisitorPass,
  visitorLongNumericHost: {
    kind: 'visitor',
    passId: 2 ** 21 - 1,
    validFrom: LATEST_START,
    validUntil: LATEST_START + 366 * 24 * HOUR,
    oneUse: false,
    hostPersonId: '999999999999',
    gates: [127, 127, 127, 127],
    zones: [],
  } satisfies VisitorPass,
  pickup: {
    kind: 'pickup',
    passId: 2 ** 21 - 1,
    validFrom: LATEST_START,
    validUntil: LATEST_START + 366 * 24 * HOUR,
    oneUse: true,
    holderPersonId: '_ZZZZZZZ',
  } satisfies PickupPass,
};
