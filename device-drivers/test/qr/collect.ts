import type { QrBadFrame, QrReader, QrScan } from '../../src/qr/index.js';

/** Everything a reader reports, for assertions. */
export function record(reader: QrReader): { scans: QrScan[]; bad: QrBadFrame[]; texts: () => string[]; reasons: () => string[] } {
  const scans: QrScan[] = [];
  const bad: QrBadFrame[] = [];
  reader.on('scan', (s) => scans.push(s));
  reader.on('bad-frame', (b) => bad.push(b));
  return { scans, bad, texts: () => scans.map((s) => s.text), reasons: () => bad.map((b) => b.reason) };
}
