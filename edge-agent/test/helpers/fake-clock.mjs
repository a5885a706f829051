// An accelerated wall clock shared by the processes of a demo test (the test itself, the
// edge, the demo's devices, the local cloud): fake time is a fixed function of real time,
// so every process computes the same instant without talking to the others. The clock runs
// at `speed` inside the windows (60× around the school day's scans) and at `idleSpeed`
// between them. Child processes get it with NODE_OPTIONS=--import=<fake-clock-preload.mjs>
// and CAMPUS_FAKE_CLOCK=<JSON of the config>.

const RealDate = Date;
const realNow = () => RealDate.now();

/**
 * @typedef {{ realStart: number; fakeStart: number; speed: number; idleSpeed: number; windows: Array<[number, number]> }} FakeClockConfig
 * windows: fake-time [from, to) spans played at `speed`, sorted, not overlapping.
 */

/** Segments of the fake timeline from fakeStart on: [fakeFrom, fakeTo, speed]. */
function segments(/** @type {FakeClockConfig} */ c) {
  const out = [];
  let t = c.fakeStart;
  for (const [from, to] of c.windows) {
    if (to <= t) continue;
    if (from > t) out.push([t, from, c.idleSpeed]);
    out.push([Math.max(from, t), to, c.speed]);
    t = to;
  }
  out.push([t, Infinity, c.idleSpeed]);
  return out;
}

/** Merges [at - before, at + after] around each instant into sorted windows. */
export function windowsAround(/** @type {number[]} */ instants, before = 90_000, after = 30_000) {
  /** @type {Array<[number, number]>} */
  const out = [];
  for (const t of [...instants].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last && t - before <= last[1]) last[1] = Math.max(last[1], t + after);
    else out.push([t - before, t + after]);
  }
  return out;
}

export function fakeClock(/** @type {FakeClockConfig} */ config) {
  const segs = segments(config);
  /** Fake time at a real instant. */
  const fakeAt = (/** @type {number} */ real) => {
    let r = config.realStart;
    for (const [from, to, speed] of segs) {
      const span = (to - from) / speed;
      if (real <= r + span) return from + (real - r) * speed;
      r += span;
    }
    return NaN;
  };
  /** Real instant at which the fake clock shows `fake`. */
  const realAt = (/** @type {number} */ fake) => {
    let r = config.realStart;
    for (const [from, to, speed] of segs) {
      if (fake <= to) return r + (Math.max(fake, from) - from) / speed;
      r += (to - from) / speed;
    }
    return NaN;
  };
  return {
    config,
    now: () => Math.floor(fakeAt(realNow())),
    fakeAt,
    realAt,
    /** Real ms until the fake clock shows `fake` (0 if it already does). */
    realDelayUntil: (/** @type {number} */ fake) => Math.max(0, realAt(fake) - realNow()),
  };
}

/** Replaces the process's Date with one on the fake clock (Date.now(), new Date(), Date()). */
export function installFakeDate(/** @type {FakeClockConfig} */ config) {
  const clock = fakeClock(config);
  class FakeDate extends RealDate {
    constructor(/** @type {[]} */ ...args) {
      if (args.length === 0) super(clock.now());
      else super(...args);
    }
    static now() {
      return clock.now();
    }
    /** Dates made before the swap, or by Node itself, are still dates. */
    static [Symbol.hasInstance](/** @type {unknown} */ x) {
      return x instanceof RealDate;
    }
  }
  globalThis.Date = /** @type {DateConstructor} */ (
    new Proxy(FakeDate, { apply: () => new RealDate(clock.now()).toString() })
  );
  return clock;
}
