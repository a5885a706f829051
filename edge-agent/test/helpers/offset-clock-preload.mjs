// node --import this file (NODE_OPTIONS) with CAMPUS_CLOCK_OFFSET_FILE set: the process's Date
// runs at real speed plus the offset (ms) the test last wrote to that file. A test that moves a
// bus box on fake time writes `fake − real` after each step, so a cloud process sees the same
// wall clock as the box (signed requests stay fresh across a 10-minute tunnel played in seconds).
import { readFileSync } from 'node:fs';

const file = process.env.CAMPUS_CLOCK_OFFSET_FILE;
if (file) {
  const RealDate = Date;
  let offset = 0;
  const read = () => {
    try {
      const v = Number(readFileSync(file, 'utf8'));
      if (Number.isFinite(v)) offset = v;
    } catch {
      /* not written yet */
    }
  };
  read();
  setInterval(read, 25).unref();
  const now = () => RealDate.now() + offset;
  class OffsetDate extends RealDate {
    constructor(/** @type {[]} */ ...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
    static [Symbol.hasInstance](/** @type {unknown} */ x) {
      return x instanceof RealDate;
    }
  }
  globalThis.Date = /** @type {DateConstructor} */ (new Proxy(OffsetDate, { apply: () => new RealDate(now()).toString() }));
}
