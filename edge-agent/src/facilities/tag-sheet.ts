import PDFDocument from 'pdfkit';
import { findMissingGlyphs, openCardFont } from '../cards/fonts.js';
import { drawQr } from '../cards/qr-draw.js';
import { A4, CARD, CARDS_PER_PAGE, cellOrigin } from '../cards/sheet-layout.js';
import { ApiError } from '../http/errors.js';

/** What goes on one printed tag: a title (the checkpoint or asset name), a line under it, and the signed payload. */
export interface PrintableTag {
  id: string;
  title: string;
  subtitle: string;
  payload: string;
}

const FONT = 'tag-cjk';
const QR_BOX = CARD.height - 8;

/**
 * Printable tag sheets on the card sheets' grid (A4, 10 a page, credit-card size cells),
 * with their QR drawing and CJK font: the QR on the left, the name and place beside it.
 * Built in memory (a school has hundreds of checkpoints, not thousands of cards).
 */
export async function tagSheetPdf(tags: readonly PrintableTag[], heading: string, fontPath?: string): Promise<Buffer> {
  let font;
  try {
    font = openCardFont(fontPath);
  } catch (err) {
    throw new ApiError(503, 'facilities.tag_font_missing', { detail: (err as Error).message });
  }
  const issues = findMissingGlyphs(font, tags.flatMap((t) => [
    { personId: t.id, field: 'title', text: t.title },
    { personId: t.id, field: 'subtitle', text: t.subtitle },
  ]));
  if (issues.length) throw new ApiError(400, 'facilities.tag_glyphs', { detail: issues.map((i) => `${String(i.params.personId)}: ${String(i.params.chars ?? '')}`).join('; ') });
  const doc = new PDFDocument({ size: [A4.width, A4.height], margin: 0, autoFirstPage: false, info: { Title: heading, Creator: '智慧校园 Edge', Producer: '智慧校园 Edge' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont(FONT, font.path, font.face as string);
  tags.forEach((t, i) => {
    const onPage = i % CARDS_PER_PAGE;
    if (onPage === 0) doc.addPage();
    const { x, y } = cellOrigin(onPage);
    doc.save().lineWidth(0.5).strokeColor('#c8c8c8').rect(x, y, CARD.width, CARD.height).stroke().restore();
    drawQr(doc, t.payload, x + 4, y + 4, QR_BOX);
    const tx = x + QR_BOX + 10;
    const tw = CARD.width - QR_BOX - 16;
    doc.font(FONT).fillColor('#111111').fontSize(13).text(t.title, tx, y + 16, { width: tw, height: 40, ellipsis: true });
    doc.fontSize(9).fillColor('#666666').text(t.subtitle, tx, y + 60, { width: tw, height: 30, ellipsis: true });
    doc.fontSize(7).text(t.id, tx, y + CARD.height - 18, { width: tw });
  });
  if (!tags.length) doc.addPage();
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
