import { CredentialEncodeError, encodeCredential, MINUTE_MS, toCredentialMinute } from '@campus/protocol/credentials/index';
import type { NewPassSchema } from '@campus/protocol/access/index';
import { ACCESS_EVENTS, type IssuedPass } from '@campus/protocol/access/index';
import type { z } from 'zod';
import { ApiError } from '../http/errors.js';
import type { AccessService } from './service.js';
import { passView } from './views.js';
import { isStudentOnly } from './model.js';

type NewPass = z.output<typeof NewPassSchema>;

/** Issues a pass (see createPass) and draws its QR for the screen or the printer. */
export async function issuePass(s: AccessService, input: NewPass, by: string): Promise<IssuedPass> {
  const issued = createPass(s, input, by);
  // The QR encoder is loaded when a pass is first drawn, not with the daemon.
  const { default: QRCode } = await import('qrcode');
  const qrSvg = await QRCode.toString(issued.credential, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { ...issued, qrSvg };
}

/**
 * Creates a visitor or pickup pass at the edge: checks the people and places, takes the
 * next pass number of this edge's range, signs with the edge's pass key (which cannot
 * sign cards) and stores the record.
 */
export function createPass(s: AccessService, input: NewPass, by: string): Omit<IssuedPass, 'qrSvg'> {
  const key = s.keys?.visitorKey;
  if (!key) throw new ApiError(409, 'access.no_pass_key');
  const from = parseInstant(s, input.validFrom);
  const until = parseInstant(s, input.validUntil);
  const validFrom = toCredentialMinute(from, 'floor');
  const validUntil = toCredentialMinute(until, 'ceil');
  const maxDays = s.config.maxVisitorPassDays;
  if (!(validUntil > validFrom) || validUntil - validFrom > maxDays * 86_400_000 || validUntil - validFrom < MINUTE_MS) {
    throw new ApiError(400, 'access.bad_window', { maxDays });
  }
  const passId = s.passes.nextId(s.config.visitorPassIds.first, s.config.visitorPassIds.last);
  if (passId === null) throw new ApiError(409, 'access.pass_ids_exhausted');
  let credential: string;
  let record: Parameters<typeof s.passes.create>[0];
  if (input.kind === 'visitor') {
    const host = s.people.get(input.hostPersonId);
    if (!host) throw new ApiError(404, 'access.unknown_person', { personId: input.hostPersonId });
    const gates = input.gates.map((id) => {
      const g = s.gates.get(id);
      if (!g) throw new ApiError(404, 'access.unknown_gate', { gate: id });
      return g;
    });
    const zones = input.zones.map((id) => {
      const z = s.zones.get(id);
      if (!z) throw new ApiError(404, 'access.unknown_zone', { zone: id });
      return z;
    });
    if (gates.length + zones.length === 0) throw new ApiError(400, 'access.no_places');
    credential = sign(() =>
      encodeCredential(
        { kind: 'visitor', passId, validFrom, validUntil, oneUse: input.oneUse, hostPersonId: host.id, gates: gates.map((g) => g.no), zones: zones.map((z) => z.no) },
        key.privateKey,
        key.kid,
      ),
    );
    record = {
      id: passId,
      kind: 'visitor',
      visitorName: input.visitorName,
      phone: input.phone,
      purpose: input.purpose,
      hostPersonId: host.id,
      holderPersonId: null,
      studentIds: [],
      validFrom,
      validUntil,
      oneUse: input.oneUse,
      gates: input.gates,
      zones: input.zones,
      credential,
      createdBy: by,
    };
  } else {
    const holder = s.people.get(input.holderPersonId);
    if (!holder) throw new ApiError(404, 'access.unknown_person', { personId: input.holderPersonId });
    for (const id of input.studentIds) {
      const st = s.people.get(id);
      if (!st) throw new ApiError(404, 'access.unknown_person', { personId: id });
      if (!isStudentOnly(st)) throw new ApiError(400, 'access.not_student', { personId: id });
    }
    credential = sign(() => encodeCredential({ kind: 'pickup', passId, validFrom, validUntil, oneUse: input.oneUse, holderPersonId: holder.id }, key.privateKey, key.kid));
    record = {
      id: passId,
      kind: 'pickup',
      visitorName: holder.name,
      phone: holder.phone,
      purpose: null,
      hostPersonId: null,
      holderPersonId: holder.id,
      studentIds: input.studentIds,
      validFrom,
      validUntil,
      oneUse: input.oneUse,
      gates: [],
      zones: [],
      credential,
      createdBy: by,
    };
  }
  const stored = s.passes.create(record);
  s.append({
    type: ACCESS_EVENTS.pass,
    reason: 'access.pass.created',
    source: `user:${by}`,
    subject: `pass:${passId}`,
    data: { passId, kind: input.kind, visitorName: stored.visitorName, validFrom, validUntil, oneUse: input.oneUse },
  });
  return { pass: passView(s, stored), credential };
}

export function parseInstant(s: AccessService, value: number | string): number {
  const ms = s.time.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError(400, 'access.bad_time', { value: String(value) });
  return ms;
}

function sign(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CredentialEncodeError) throw new ApiError(400, 'access.pass_too_long', { detail: err.message });
    throw err;
  }
}
