import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineFramer, LINE_TERMINATORS, type Frame } from '../../src/qr/index.js';

const PRINTABLE = /^[\x20-\x7e]*$/;

// Bytes biased towards what trips framers: terminators, NUL, high bytes, printable text.
const byteArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 2, arbitrary: fc.constantFrom(0x0d, 0x0a) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
const chunkArb = fc.uint8Array({ minLength: 0, maxLength: 300 }).chain((raw) =>
  fc.array(byteArb, { minLength: 0, maxLength: 300 }).map((biased) => (raw.length % 2 ? raw : Uint8Array.from(biased))),
);
const stepArb = fc.oneof(
  { weight: 8, arbitrary: chunkArb.map((bytes) => ({ kind: 'push' as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'idle' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
);

describe('LineFramer under fuzzing', () => {
  it('never throws, never emits an overlong or unprintable line, and accounts for every byte', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LINE_TERMINATORS),
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom('discard' as const, 'accept' as const),
        fc.array(stepArb, { minLength: 1, maxLength: 60 }),
        (terminator, maxLineLength, onMissingSuffix, steps) => {
          const frames: Frame[] = [];
          const framer = new LineFramer({ terminator, maxLineLength, onMissingSuffix, overlongReportEvery: 64 }, (f) => frames.push(f));
          let pushed = 0;
          for (const step of steps) {
            if (step.kind === 'push') {
              framer.push(step.bytes);
              pushed += step.bytes.length;
            } else if (step.kind === 'idle') framer.idle();
            else framer.reset();
          }
          for (const f of frames) {
            expect(f.bytes).toBeGreaterThan(0);
            if (f.kind === 'line') {
              expect(f.text.length).toBeGreaterThan(0);
              expect(f.text.length).toBeLessThanOrEqual(maxLineLength);
              expect(f.text).toMatch(PRINTABLE);
            }
          }
          const s = framer.stats();
          const emitted = frames.reduce((n, f) => n + f.bytes, 0);
          expect(s.bytesIn).toBe(pushed);
          expect(emitted).toBe(s.lineBytes + s.badBytes);
          expect(s.lineBytes + s.badBytes + s.ignoredBytes + s.pendingBytes).toBe(pushed);
          expect(s.pendingBytes).toBeLessThanOrEqual(Math.max(maxLineLength, 64) + 1);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('frames 100,000 random lines, keeping every clean one intact', () => {
    // Interleave clean card-like lines with random garbage lines; every clean line must
    // come out exactly once and in order, whatever surrounds it.
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.stringMatching(/^[A-Za-z0-9:._~-]{1,120}$/).map((text) => ({ clean: true, bytes: Buffer.from(text + '\r\n') })),
            fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({ clean: false, bytes: Buffer.concat([Buffer.from(b), Buffer.from('\n')]) })),
          ),
          { minLength: 1000, maxLength: 1000 },
        ),
        fc.integer({ min: 1, max: 64 }),
        (items, chunkSize) => {
          const frames: Frame[] = [];
          const framer = new LineFramer({ maxLineLength: 128 }, (f) => frames.push(f));
          const stream = Buffer.concat(items.map((i) => i.bytes));
          for (let i = 0; i < stream.length; i += chunkSize) framer.push(stream.subarray(i, i + chunkSize));
          const got = frames.flatMap((f) => (f.kind === 'line' ? [f.text] : []));
          const cleanTexts = items.filter((i) => i.clean).map((i) => i.bytes.toString('latin1').slice(0, -2));
          // Random garbage may itself contain clean-looking fragments; clean lines must all appear in order.
          let cursor = 0;
          for (const text of cleanTexts) {
            const at = got.indexOf(text, cursor);
            expect(at).toBeGreaterThanOrEqual(cursor);
            cursor = at + 1;
          }
          const s = framer.stats();
          expect(s.lineBytes + s.badBytes + s.ignoredBytes + s.pendingBytes).toBe(stream.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
