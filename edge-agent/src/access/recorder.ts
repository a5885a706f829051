import { PRIORITIES, type NewEvent } from '@campus/protocol';
import { translate } from '@campus/protocol/i18n';
import { ACCESS_EVENTS, accessReasonMessageId, type AccessDecisionData, type OpeningResult } from '@campus/protocol/access/index';
import '@campus/protocol/credentials/index';
import type { StoredEvent } from '../store/index.js';
import type { Decision } from './decision.js';
import type { People } from './people.js';

export interface RecordContext {
  reader: string | null;
  opened: OpeningResult;
  scanId: string;
  /** Who recorded it: "reader:<id>" or "guard:<username>". */
  source: string;
  override?: { by: string; why: string; decisionId: string | null };
}

type Flat = Record<string, string | number | boolean | null>;

/**
 * Turns decisions into `access.decision` events. Refusals nobody can be named in (random
 * bytes, forged QR, bad frames) are recorded once per reader, reason and window with a
 * count of those folded in, so a reader spewing garbage cannot flood the log; every
 * decision about a known credential is recorded.
 */
export class DecisionRecorder {
  readonly #windows = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly append: (e: NewEvent) => StoredEvent,
    private readonly people: People,
    private readonly windowMs: number,
  ) {}

  /** Returns null when folded into an earlier event of the same window. */
  shouldRecord(reader: string | null, reason: string, identified: boolean, now: number): { suppressedBefore: number } | null {
    if (identified || this.windowMs === 0) return { suppressedBefore: 0 };
    const key = `${reader ?? '-'}|${reason}`;
    const w = this.#windows.get(key);
    if (w && w.until > now) {
      w.suppressed++;
      return null;
    }
    const suppressedBefore = w?.suppressed ?? 0;
    this.#windows.set(key, { until: now + this.windowMs, suppressed: 0 });
    if (this.#windows.size > 1000) for (const [k, v] of this.#windows) if (v.until <= now) this.#windows.delete(k);
    return { suppressedBefore };
  }

  record(d: Decision, ctx: RecordContext, suppressedBefore: number, extra: Flat = {}): StoredEvent {
    const p = d.person;
    const className = p ? this.people.className(p.classId) : null;
    const who = p ? (className ? `${p.name}（${className}）` : p.name) : d.personId ?? (d.passId !== null ? `#${d.passId}` : '—');
    const data: AccessDecisionData & Flat = {
      ...d.params,
      ...flatten(d.extra),
      ...extra,
      granted: d.granted,
      gate: d.gate.id,
      gateNo: d.gate.no,
      gateName: d.gate.name,
      zone: d.gate.zone.id,
      zoneNo: d.gate.zone.no,
      zoneName: d.gate.zone.name,
      zoneKind: d.gate.zone.kind,
      direction: d.direction,
      reader: ctx.reader,
      personId: d.personId,
      personName: p?.name ?? null,
      className,
      who,
      credentialKind: d.credentialKind,
      kid: d.kid,
      cardVersion: d.cardVersion,
      passId: d.passId,
      leaveId: d.leaveId,
      overrideBy: ctx.override?.by ?? null,
      overrideWhy: ctx.override?.why ?? null,
      overriddenDecision: ctx.override?.decisionId ?? null,
      opened: ctx.opened,
      scanId: ctx.scanId,
      suppressedBefore,
      explanation: '',
    };
    data.explanation = explain(d.reason, data, ctx.opened);
    return this.append({
      type: ACCESS_EVENTS.decision,
      reason: d.reason,
      severity: ctx.opened === 'relay-failed' ? 'warning' : d.severity,
      priority: PRIORITIES.gate,
      source: ctx.source,
      subject: d.personId ?? (d.passId !== null ? `pass:${d.passId}` : null),
      data,
    });
  }
}

function flatten(extra: Decision['extra']): Flat {
  const out: Flat = {};
  for (const [k, v] of Object.entries(extra)) out[k] = Array.isArray(v) ? v.join('、') : v;
  return out;
}

function explain(reason: string, data: Flat, opened: OpeningResult): string {
  const params: Record<string, string | number | boolean | null> = data;
  const text = translate('zh-CN', accessReasonMessageId(reason), params);
  return opened === 'relay-failed' ? `${text}；但闸机未能打开（继电器无响应）` : text;
}
