import QRCode from 'qrcode';

/** The dark modules of a QR code as horizontal runs, for drawing as vector rectangles. */
export interface QrRuns {
  /** Modules per side, without quiet zone. */
  size: number;
  runs: Array<{ row: number; col: number; length: number }>;
}

/** Error correction M: survives about 15% damage, the usual trade-off for printed cards. */
export function qrRuns(text: string): QrRuns {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const { size, data } = modules;
  const runs: QrRuns['runs'] = [];
  for (let row = 0; row < size; row++) {
    let start = -1;
    for (let col = 0; col <= size; col++) {
      const dark = col < size && data[row * size + col] === 1;
      if (dark && start < 0) start = col;
      else if (!dark && start >= 0) {
        runs.push({ row, col: start, length: col - start });
        start = -1;
      }
    }
  }
  return { size, runs };
}

/** Quiet zone the standard asks for around the symbol, in modules. */
export const QR_QUIET_MODULES = 4;

/**
 * Draws the QR into a square box (quiet zone included) as one filled path: sharp at any
 * printer resolution and a few kilobytes per card, unlike a PNG.
 */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, box: number): void {
  const { size, runs } = qrRuns(text);
  const m = box / (size + 2 * QR_QUIET_MODULES);
  const ox = x + QR_QUIET_MODULES * m;
  const oy = y + QR_QUIET_MODULES * m;
  doc.save();
  for (const r of runs) doc.rect(ox + r.col * m, oy + r.row * m, r.length * m, m);
  doc.fill('#000000');
  doc.restore();
}
