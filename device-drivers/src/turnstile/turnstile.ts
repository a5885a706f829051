import { z } from 'zod';
import { uuidv7 } from '@campus/protocol/ids';
import { parseOptions } from '../serial/options.js';
import { SafeEmitter } from '../serial/safeEmitter.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import { toLinkError, type LinkErrorInfo } from '../serial/linkStatus.js';
import type { GateDirection, RelayOutput } from './relayOutput.js';
import './messages.js';

export const TurnstileOptionsSchema = z.object({
  /** The gate's id in the edge config, e.g. "north-gate-1". */
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  /** Relay channel wired to the turnstile's unlock input for each direction. */
  channels: z.object({ in: z.number().int().min(0), out: z.number().int().min(0) }),
  /** Contact closure per opening; most turnstile controllers want 100–500 ms. */
  pulseMs: z.number().int().min(20).max(10_000).default(300),
  /**
   * With a pass sensor: how long after opening a passage is awaited before the opening
   * is recorded as 'not-passed'. Without one, openings are not followed up.
   */
  passFeedback: z.object({ windowMs: z.number().int().min(500).max(120_000).default(10_000) }).optional(),
});
export type TurnstileOptions = z.input<typeof TurnstileOptionsSchema>;

/** Who asked for the opening, carried through to the passage report. */
export interface OpeningRef {
  scanId?: string;
  subject?: string;
}

export interface GateOpening {
  openingId: string;
  gateId: string;
  direction: GateDirection;
  at: number;
  /** 'pulsed': the relay accepted the pulse. 'held-open': fire alarm, the gate is free anyway. 'relay-failed': the gate stays closed. */
  result: 'pulsed' | 'held-open' | 'relay-failed';
  error: LinkErrorInfo | null;
  ref: OpeningRef;
}

export const PASSAGE_OUTCOMES = ['passed', 'not-passed', 'unexpected', 'cancelled'] as const;
export type PassageOutcome = (typeof PASSAGE_OUTCOMES)[number];

/** Event reason code per outcome. */
export const PASSAGE_REASON_CODES: Record<PassageOutcome, string> = {
  passed: 'gate.passed',
  'not-passed': 'gate.not_passed',
  unexpected: 'gate.unexpected_passage',
  cancelled: 'gate.passage_cancelled',
};

export interface Passage {
  gateId: string;
  direction: GateDirection;
  outcome: PassageOutcome;
  reasonCode: string;
  /** The opening this passage belongs to; null for 'unexpected'. */
  openingId: string | null;
  ref: OpeningRef;
  openedAt: number | null;
  at: number;
}

export interface HoldChange {
  gateId: string;
  held: boolean;
  ok: boolean;
  error: LinkErrorInfo | null;
}

interface TurnstileEvents {
  opening: [opening: GateOpening];
  passage: [passage: Passage];
  hold: [change: HoldChange];
}

interface Pending {
  openingId: string;
  ref: OpeningRef;
  openedAt: number;
  timer: NodeJS.Timeout;
}

/**
 * One turnstile with IN and OUT unlock inputs on relay channels. A relay board, a dry
 * contact on a relay controller: anything with a RelayOutput. With a pass sensor
 * (reportPass), every opening ends as 'passed' or 'not-passed'; a passage nobody
 * opened for is 'unexpected'.
 */
export class Turnstile extends SafeEmitter<TurnstileEvents> {
  readonly id: string;
  readonly options: z.output<typeof TurnstileOptionsSchema>;
  readonly #relay: RelayOutput;
  readonly #logger: DriverLogger;
  readonly #pending: Record<GateDirection, Pending[]> = { in: [], out: [] };
  #held = false;
  #passagesWhileHeld = 0;

  constructor(relay: RelayOutput, options: TurnstileOptions, logger: DriverLogger = silentLogger) {
    const parsed = parseOptions(TurnstileOptionsSchema, options, 'turnstile');
    super((error, event) => logger.error({ err: error, gateId: parsed.id, event }, 'turnstile listener threw'));
    this.options = parsed;
    this.id = parsed.id;
    this.#relay = relay;
    this.#logger = logger;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Let one person through in `direction`. Never rejects: a failure is the result. */
  async open(direction: GateDirection, ref: OpeningRef = {}): Promise<GateOpening> {
    const opening: GateOpening = { openingId: uuidv7(), gateId: this.id, direction, at: Date.now(), result: 'pulsed', error: null, ref };
    if (this.#held) {
      opening.result = 'held-open';
      this.emit('opening', opening);
      return opening;
    }
    try {
      await this.#relay.pulse(this.options.channels[direction], this.options.pulseMs);
    } catch (error) {
      opening.result = 'relay-failed';
      opening.error = toLinkError(error);
      this.#logger.warn({ gateId: this.id, direction, err: error }, 'gate did not open');
      this.emit('opening', opening);
      return opening;
    }
    this.emit('opening', opening);
    if (this.options.passFeedback && !this.#held) this.#await(direction, opening);
    return opening;
  }

  /** The pass sensor saw a person go through in `direction`. */
  reportPass(direction: GateDirection, at = Date.now()): void {
    if (this.#held) {
      this.#passagesWhileHeld++;
      return;
    }
    const pending = this.#pending[direction].shift();
    if (pending) {
      clearTimeout(pending.timer);
      this.#report(direction, 'passed', pending, at);
    } else {
      this.#report(direction, 'unexpected', null, at);
    }
  }

  /** Hold both directions open (fire alarm) or release them. Resolves with what the relay did. */
  async hold(on: boolean): Promise<HoldChange> {
    this.#held = on;
    if (on) {
      for (const direction of ['in', 'out'] as const) {
        for (const p of this.#pending[direction].splice(0)) {
          clearTimeout(p.timer);
          this.#report(direction, 'cancelled', p, Date.now());
        }
      }
    }
    const results = await Promise.allSettled([this.#relay.set(this.options.channels.in, on), this.#relay.set(this.options.channels.out, on)]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const change: HoldChange = { gateId: this.id, held: on, ok: !failure, error: failure ? toLinkError(failure.reason) : null };
    this.emit('hold', change);
    return change;
  }

  status(): { gateId: string; held: boolean; awaiting: Record<GateDirection, number>; passagesWhileHeld: number } {
    return {
      gateId: this.id,
      held: this.#held,
      awaiting: { in: this.#pending.in.length, out: this.#pending.out.length },
      passagesWhileHeld: this.#passagesWhileHeld,
    };
  }

  /** Forget pending openings (shutdown). */
  dispose(): void {
    for (const direction of ['in', 'out'] as const) for (const p of this.#pending[direction].splice(0)) clearTimeout(p.timer);
  }

  #await(direction: GateDirection, opening: GateOpening): void {
    const windowMs = this.options.passFeedback!.windowMs;
    const pending: Pending = {
      openingId: opening.openingId,
      ref: opening.ref,
      openedAt: opening.at,
      timer: setTimeout(() => {
        const list = this.#pending[direction];
        const i = list.indexOf(pending);
        if (i >= 0) list.splice(i, 1);
        this.#report(direction, 'not-passed', pending, Date.now());
      }, windowMs),
    };
    pending.timer.unref();
    this.#pending[direction].push(pending);
  }

  #report(direction: GateDirection, outcome: PassageOutcome, pending: Pending | null, at: number): void {
    this.emit('passage', {
      gateId: this.id,
      direction,
      outcome,
      reasonCode: PASSAGE_REASON_CODES[outcome],
      openingId: pending?.openingId ?? null,
      ref: pending?.ref ?? {},
      openedAt: pending?.openedAt ?? null,
      at,
    });
  }
}
