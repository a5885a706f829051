import PDFDocument from 'pdfkit';
import { findMissingGlyphs, openCardFont } from '../cards/fonts.js';
import { drawQr } from '../cards/qr-draw.js';
import { A4, CARD, CARDS_PER_PAGE, cellOrigin } from '../cards/sheet-layout.js';
import { ApiError } from '../http/errors.js';

/** One printed pickup pass (接送证): who may collect which child, and the signed SP1 text for the QR. */
export interface PrintablePickupPass {
  key: string;
  pickupName: string;
  relation: string;
  childName: string;
  className: string | null;
  passVersion: number;
  validFrom: number | null;
  validUntil: number | null;
  pass: string;
}

const FONT = 'pass-cjk';
const QR_BOX = CARD.height - 8;
const ymd = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);

/**
 * Printable pickup pass sheets on the card sheets' grid (A4, 10 a page, credit-card size,
 * cut along the outlines): the QR on the left, the pickup person, the child and the pass
 * version beside it. Every character is checked against the font before the first byte.
 */
export async function pickupPassSheetPdf(passes: readonly PrintablePickupPass[], schoolName: string, fontPath?: string): Promise<Buffer> {
  let font;
  try {
    font = openCardFont(fontPath);
  } catch (err) {
    throw new ApiError(503, 'bus.passes.font_missing', { detail: (err as Error).message });
  }
  const lines = (p: PrintablePickupPass) => ({
    title: p.pickupName,
    relation: `关系：${p.relation}`,
    child: `接送：${p.childName}${p.className ? ` · ${p.className}` : ''}`,
    valid: `第${p.passVersion}版${p.validFrom !== null || p.validUntil !== null ? ` · ${p.validFrom !== null ? ymd(p.validFrom) : ''}至${p.validUntil !== null ? ymd(p.validUntil) : ''}` : ''}`,
  });
  const issues = findMissingGlyphs(font, [
    { personId: '-', field: 'school', text: `${schoolName}校车接送证至第版：·关系` },
    ...passes.flatMap((p) => {
      const l = lines(p);
      return [
        { personId: p.key, field: 'pickup', text: l.title + l.relation },
        { personId: p.key, field: 'child', text: l.child },
      ];
    }),
  ]);
  if (issues.length) throw new ApiError(400, 'bus.passes.glyphs', { detail: issues.map((i) => `${String(i.params.personId)}: ${String(i.params.chars ?? '')}`).join('; ') });
  const doc = new PDFDocument({ size: [A4.width, A4.height], margin: 0, autoFirstPage: false, info: { Title: `${schoolName} 校车接送证`, Creator: '智慧校园 Edge', Producer: '智慧校园 Edge' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont(FONT, font.path, font.face as string);
  passes.forEach((p, i) => {
    const onPage = i % CARDS_PER_PAGE;
    if (onPage === 0) doc.addPage();
    const { x, y } = cellOrigin(onPage);
    const l = lines(p);
    doc.save().lineWidth(0.5).strokeColor('#c8c8c8').rect(x, y, CARD.width, CARD.height).stroke().restore();
    drawQr(doc, p.pass, x + 4, y + 4, QR_BOX);
    const tx = x + QR_BOX + 8;
    const tw = CARD.width - QR_BOX - 14;
    doc.font(FONT).fillColor('#1d4e89').fontSize(8).text(`${schoolName} 校车接送证`, tx, y + 10, { width: tw, height: 12, ellipsis: true });
    doc.fillColor('#111111').fontSize(12).text(l.title, tx, y + 26, { width: tw, height: 30, ellipsis: true });
    doc.fontSize(8).text(l.relation, tx, y + 58, { width: tw, height: 12, ellipsis: true });
    doc.fontSize(8).text(l.child, tx, y + 72, { width: tw, height: 24, ellipsis: true });
    doc.fontSize(7).fillColor('#666666').text(l.valid, tx, y + CARD.height - 22, { width: tw, height: 10, ellipsis: true });
  });
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
