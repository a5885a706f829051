import { verifyCredential, type CredentialKind, type Keyring, type VerifyFailure } from '@campus/protocol/credentials/index';
import type { Direction } from '@campus/protocol/access/index';
import type { SchoolCalendar } from '../school/calendar.js';
import type { Curfews } from './calendar.js';
import { baseDecision, deny, grant, type Decision } from './decision.js';
import type { Leaves } from './leaves.js';
import { isStudentOnly, type Gate } from './model.js';
import type { Passback } from './passback.js';
import type { Passes } from './passes.js';
import type { People } from './people.js';
import { passbackCheck } from './rules/anti-passback.js';
import { campusExit, dormitory, type TimeVerdict } from './rules/time-rules.js';

export interface EngineDeps {
  keyring: Keyring;
  /** Kinds a key id may sign; a kid not listed may sign every kind. */
  keyKinds: ReadonlyMap<string, ReadonlySet<CredentialKind>>;
  people: People;
  leaves: Leaves;
  passes: Passes;
  passback: Passback;
  calendar: SchoolCalendar;
  curfews: Curfews;
  fireAlarmActive(): boolean;
  clockToleranceMs: number;
}

/** Failures that leave the credential unproven: nobody can be named from them. */
const UNPROVEN = new Set(['credential.unknown_prefix', 'credential.unsupported_version', 'credential.bad_length', 'credential.malformed', 'credential.unsupported_kind', 'credential.unknown_key', 'credential.bad_signature']);
const FORGERY = new Set(['credential.bad_signature', 'credential.unknown_key', 'credential.revoked']);

/**
 * The gate's decision, in the order a guard would reason: is the QR genuine (key id,
 * signature, card version), who is it, may they be here, which way, at this hour. Pure
 * apart from reading the in-memory directory; writes (passback, pass use) are returned
 * as effects for the caller to apply. Never throws on input.
 */
export class AccessEngine {
  constructor(private readonly d: EngineDeps) {}

  decide(text: string, gate: Gate, direction: Direction, now: number): Decision {
    const dec = baseDecision(gate, direction);
    if (!gate.directions.has(direction)) return deny(dec, 'access.direction_not_allowed');
    const v = verifyCredential(text, this.d.keyring, now, {
      minCardVersion: this.d.people.minCardVersion,
      clockToleranceMs: this.d.clockToleranceMs,
      timeZone: this.d.calendar.time.timeZone,
    });
    dec.kid = v.kid ?? null;
    const credential = v.credential;
    if (credential) {
      dec.identified = true;
      dec.credentialKind = credential.kind;
      if (credential.kind === 'card') {
        dec.personId = credential.personId;
        dec.cardVersion = credential.cardVersion;
        dec.person = this.d.people.get(credential.personId) ?? null;
      } else {
        dec.passId = credential.passId;
        dec.personId = credential.kind === 'pickup' ? credential.holderPersonId : null;
        if (credential.kind === 'pickup') dec.person = this.d.people.get(credential.holderPersonId) ?? null;
      }
    }
    if (!v.ok) return this.#refuseCredential(dec, v);
    const cred = v.credential;
    const allowed = this.d.keyKinds.get(v.kid);
    if (allowed && !allowed.has(cred.kind)) return deny(dec, 'access.key_not_allowed', { kid: v.kid }, 'warning');
    if (this.d.fireAlarmActive()) return grant(dec, 'access.granted.fire_alarm');
    if (cred.kind === 'card') return this.#card(dec, now);
    return this.#pass(dec, cred.kind, { gates: cred.kind === 'visitor' ? cred.gates : [], zones: cred.kind === 'visitor' ? cred.zones : [], oneUse: cred.oneUse });
  }

  #refuseCredential(dec: Decision, v: VerifyFailure): Decision {
    dec.identified = !UNPROVEN.has(v.reason);
    const params: Record<string, string | number> = {};
    for (const [k, value] of Object.entries(v.params)) if (typeof value === 'string' || typeof value === 'number') params[k] = value;
    return deny(dec, v.reason, params, FORGERY.has(v.reason) ? 'warning' : 'notice');
  }

  #card(dec: Decision, now: number): Decision {
    const p = dec.person;
    const { gate, direction } = dec;
    const zone = gate.zone;
    if (!p) return deny(dec, 'access.person_unknown');
    if (!p.active) return deny(dec, 'access.person_inactive');
    if (!p.roles.some((r) => zone.roles.has(r))) return deny(dec, 'access.role_not_allowed');
    const student = isStudentOnly(p);
    if (zone.kind === 'dormitory' && student) {
      if (!p.boarder) return deny(dec, 'access.not_boarder');
      if (p.dormitoryZone !== null && p.dormitoryZone !== zone.id) return deny(dec, 'access.wrong_dormitory');
    }
    const repeat = passbackCheck(this.d.passback, this.d.calendar.time, zone, p.id, direction, now) === 'repeat';
    if (repeat && zone.antiPassback === 'strict') return deny(dec, `access.anti_passback.${direction}`, {}, 'warning');
    let verdict: TimeVerdict = { ok: true };
    if (student && zone.kind === 'campus' && direction === 'out') verdict = campusExit(this.d.calendar, this.d.leaves, p, this.d.people.gradeOf(p), now);
    else if (student && zone.kind === 'dormitory') verdict = dormitory(this.d.calendar, this.d.curfews, this.d.leaves, p, zone, direction, now);
    if (!verdict.ok) return deny(dec, verdict.reason, verdict.params);
    if (zone.antiPassback !== 'off') dec.effects.passback = { zone: zone.id, personId: p.id };
    if (verdict.leaveId !== undefined) dec.leaveId = verdict.leaveId;
    if (verdict.reason) return grant(dec, verdict.reason, {}, verdict.reason === 'access.granted.late_return' ? 'notice' : 'info');
    if (repeat) return grant(dec, 'access.granted.passback_soft', {}, 'notice');
    return grant(dec, 'access.granted');
  }

  #pass(dec: Decision, kind: 'visitor' | 'pickup', qr: { gates: number[]; zones: number[]; oneUse: boolean }): Decision {
    const passId = dec.passId!;
    const { gate, direction } = dec;
    const record = this.d.passes.record(passId);
    if (record && record.kind !== kind) return deny(dec, 'access.pass_unknown', {}, 'warning');
    if (record?.status === 'cancelled') return deny(dec, 'access.pass_cancelled');
    if (kind === 'pickup') {
      if (!record) return deny(dec, 'access.pass_unknown');
      if (gate.zone.kind !== 'campus') return deny(dec, 'access.pass_wrong_zone');
      dec.extra.students = record.studentIds;
    } else {
      const atGate = qr.gates.includes(gate.no) || qr.zones.includes(gate.zone.no);
      if (!atGate) return deny(dec, qr.gates.length === 0 ? 'access.pass_wrong_zone' : 'access.pass_wrong_gate');
      dec.extra.visitorName = record?.visitorName ?? null;
      dec.extra.hostPersonId = record?.hostPersonId ?? null;
    }
    if (qr.oneUse) {
      const uses = this.d.passes.uses(passId);
      if ((direction === 'in' ? uses.in : uses.out) > 0) return deny(dec, 'access.pass_used', {}, 'warning');
    }
    dec.effects.passUse = { passId };
    return grant(dec, kind === 'visitor' ? 'access.granted.visitor' : 'access.granted.pickup');
  }
}

