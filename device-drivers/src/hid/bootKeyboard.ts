import { NON_SHIFT_MASK, SHIFT_MASK, US_LAYOUT, USAGE } from './usLayout.js';

/** Stands for a key with no character here (F-keys, arrows, Ctrl/Alt combos): makes the line garbage. */
export const UNSUPPORTED_KEY_BYTE = 0x1a;
const CR = 0x0d;

export type TerminatorKey = 'enter' | 'tab';

export interface BootKeyboardOptions {
  /** Strip this report id when reports arrive with one in front (9 bytes). null: plain 8-byte boot reports. */
  reportId?: number | null;
  /** Keys that end a scan; they come out as CR. Enter by default; some scanners are set to Tab. */
  terminatorKeys?: readonly TerminatorKey[];
}

export interface BootKeyboardStats {
  reports: number;
  keyPresses: number;
  /** Reports of the "too many keys" phantom state (usage 0x01 in every slot), skipped. */
  rolloverErrors: number;
  /** Reports that are not boot keyboard reports at all. */
  malformed: number;
  unsupportedKeys: number;
}

/**
 * Turns HID boot keyboard input reports (modifiers, reserved, six key slots) into the
 * bytes a keyboard-wedge scanner "typed". A key produces a character when it appears in a
 * report and was not in the previous one, so key-up reports, keys held across reports and
 * rollover (several keys down at once) each yield exactly one character per press.
 */
export class BootKeyboardDecoder {
  readonly #reportId: number | null;
  readonly #terminators: Set<number>;
  #held: number[] = [];
  #capsLock = false;
  readonly #stats: BootKeyboardStats = { reports: 0, keyPresses: 0, rolloverErrors: 0, malformed: 0, unsupportedKeys: 0 };

  constructor(options: BootKeyboardOptions = {}) {
    this.#reportId = options.reportId ?? null;
    const keys = options.terminatorKeys ?? ['enter'];
    this.#terminators = new Set(keys.flatMap((k) => (k === 'enter' ? [USAGE.enter, USAGE.keypadEnter] : [USAGE.tab])));
  }

  stats(): BootKeyboardStats {
    return { ...this.#stats };
  }

  /** Forget held keys, e.g. after the device was reopened. */
  reset(): void {
    this.#held = [];
  }

  /** The bytes typed by this report (often none), or null when the report is malformed. */
  decode(report: Uint8Array): Buffer | null {
    this.#stats.reports++;
    let r = report;
    if (this.#reportId !== null && r.length === 9 && r[0] === this.#reportId) r = r.subarray(1);
    if (r.length !== 8) {
      this.#stats.malformed++;
      return null;
    }
    const modifiers = r[0]!;
    const keys: number[] = [];
    for (let i = 2; i < 8; i++) {
      const k = r[i]!;
      if (k === 0) continue;
      if (k <= USAGE.errorUndefined) {
        // Phantom state: the keyboard cannot tell which keys are down; keep what we had.
        this.#stats.rolloverErrors++;
        return Buffer.alloc(0);
      }
      if (k >= 0xe0 && k <= 0xe7) continue; // modifiers also listed as keys by some firmware
      keys.push(k);
    }
    const out: number[] = [];
    for (const k of keys) {
      if (this.#held.includes(k)) continue;
      this.#stats.keyPresses++;
      const byte = this.#typed(k, modifiers);
      if (byte !== null) out.push(byte);
    }
    this.#held = keys;
    return Buffer.from(out);
  }

  #typed(usage: number, modifiers: number): number | null {
    if (usage === USAGE.capsLock) {
      this.#capsLock = !this.#capsLock;
      return null;
    }
    if (this.#terminators.has(usage)) return CR;
    const chars = US_LAYOUT.get(usage);
    if (!chars || (modifiers & NON_SHIFT_MASK) !== 0) {
      this.#stats.unsupportedKeys++;
      return UNSUPPORTED_KEY_BYTE;
    }
    let shifted = (modifiers & SHIFT_MASK) !== 0;
    if (this.#capsLock && usage >= 0x04 && usage <= 0x1d) shifted = !shifted;
    return chars[shifted ? 1 : 0].charCodeAt(0);
  }
}
