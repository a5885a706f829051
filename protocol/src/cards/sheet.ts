import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { CardToolError } from './errors.js';
import { findMissingGlyphs, openCardFont } from './fonts.js';
import { drawQr } from './qr-draw.js';
import {
  A4,
  CARD,
  CARD_AREAS,
  CARDS_PER_PAGE,
  CUT_MARK,
  GRID,
  GRID_ORIGIN,
  TEXT_WIDTH,
  cellOrigin,
  pageCount,
} from './sheet-layout.js';

/** What goes on one printed card. IssuedCard from issue.ts is one. */
export interface PrintableCard {
  personId: string;
  name: string;
  grade?: string | null;
  className?: string | null;
  /** Absolute path of a JPEG or PNG; null = placeholder silhouette. */
  photo?: string | null;
  cardVersion?: number;
  credential: string;
}

export interface CardSheetOptions {
  schoolName: string;
  /** A TTF/OTF/TTC with Chinese glyphs; default: the first of DEFAULT_CJK_FONT_PATHS present. */
  fontPath?: string;
  /** Label before the id; default 学号. */
  idLabel?: string;
  /** Called after each card is drawn, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

export interface CardSheetResult {
  cards: number;
  pages: number;
}

const FONT = 'card-cjk';
/** Room for a wrapped name above class, id and version lines. */
const NAME_BOX_HEIGHT = 48;
const COLORS = { band: '#1d4e89', bandText: '#ffffff', text: '#111111', muted: '#666666', outline: '#c8c8c8', photoBg: '#e9edf2', silhouette: '#b7c1cc' };

/**
 * Writes printable card sheets (A4, 10 cards a page, cut marks) to a file or stream.
 * Everything that could make a bad print is checked before the first byte: font present
 * and Chinese, every character drawable. Pages are flushed as they are finished and photos
 * read one at a time, so 2,000 cards stream in constant memory. Writing to a path goes
 * through a temporary file: a failed run leaves no half-written PDF.
 */
export async function writeCardSheet(
  cards: readonly PrintableCard[],
  out: string | NodeJS.WritableStream,
  opts: CardSheetOptions,
): Promise<CardSheetResult> {
  if (cards.length === 0) throw new CardToolError('cards.sheet.no_cards');
  const font = openCardFont(opts.fontPath);
  const idLabel = opts.idLabel ?? '学号';
  const issues = findMissingGlyphs(font, [
    { personId: '-', field: 'school', text: opts.schoolName + idLabel + '卡版本' },
    ...cards.flatMap((c) => [
      { personId: c.personId, field: '姓名', text: c.name },
      { personId: c.personId, field: '年级', text: c.grade ?? '' },
      { personId: c.personId, field: '班级', text: c.className ?? '' },
    ]),
  ]);
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new CardToolError(first.code, first.params, issues);
  }

  const toPath = typeof out === 'string' ? out : null;
  const tmpPath = toPath ? `${toPath}.tmp-${process.pid}-${Date.now()}` : null;
  const sink = tmpPath ? createWriteStream(tmpPath, { mode: 0o644 }) : (out as NodeJS.WritableStream);
  const doc = new PDFDocument({
    size: [A4.width, A4.height],
    margin: 0,
    autoFirstPage: false,
    info: { Title: `${opts.schoolName} 校园卡`, Creator: '智慧校园 Edge', Producer: '智慧校园 Edge' },
  });
  doc.pipe(sink);
  doc.registerFont(FONT, font.path, font.face as string);
  const sinkError = new Promise<never>((_, reject) => {
    (sink as NodeJS.EventEmitter).once('error', reject);
  });
  sinkError.catch(() => undefined);

  try {
    for (let i = 0; i < cards.length; i++) {
      const onPage = i % CARDS_PER_PAGE;
      if (onPage === 0) {
        doc.addPage();
        drawCutMarks(doc);
        await Promise.race([drainIfNeeded(doc, sink), sinkError]);
      }
      const card = cards[i]!;
      const photo = card.photo ? await readPhoto(card) : null;
      const { x, y } = cellOrigin(onPage);
      drawCard(doc, card, photo, x, y, opts.schoolName, idLabel);
      opts.onProgress?.(i + 1, cards.length);
    }
    doc.end();
    await Promise.race([finished(sink as NodeJS.WritableStream), sinkError]);
    if (toPath && tmpPath) await rename(tmpPath, toPath);
  } catch (err) {
    doc.unpipe(sink as NodeJS.WritableStream);
    if (tmpPath) {
      (sink as NodeJS.WritableStream & { destroy?: () => void }).destroy?.();
      await rm(tmpPath, { force: true });
    }
    throw err;
  }
  return { cards: cards.length, pages: pageCount(cards.length) };
}

/**
 * pdfkit pushes each finished page at once. Yield so the pipe moves it to the sink, then
 * wait while the sink is behind: memory stays at about a page however long the roster.
 */
async function drainIfNeeded(doc: PDFKit.PDFDocument, sink: NodeJS.WritableStream): Promise<void> {
  const w = sink as NodeJS.WritableStream & { writableNeedDrain?: boolean };
  await new Promise((r) => setImmediate(r));
  while (w.writableNeedDrain || doc.readableLength > doc.readableHighWaterMark) {
    if (w.writableNeedDrain) await once(sink as NodeJS.EventEmitter, 'drain');
    else await new Promise((r) => setImmediate(r));
  }
}

async function readPhoto(card: PrintableCard): Promise<Buffer> {
  try {
    return await readFile(card.photo!);
  } catch (err) {
    throw new CardToolError('cards.sheet.photo_unreadable', {
      personId: card.personId,
      path: card.photo!,
      detail: (err as Error).message,
    });
  }
}

function drawCutMarks(doc: PDFKit.PDFDocument): void {
  const { gap, length } = CUT_MARK;
  const right = GRID_ORIGIN.x + GRID.columns * CARD.width;
  const bottom = GRID_ORIGIN.y + GRID.rows * CARD.height;
  doc.save().lineWidth(0.5).strokeColor('#000000');
  for (let c = 0; c <= GRID.columns; c++) {
    const x = GRID_ORIGIN.x + c * CARD.width;
    doc.moveTo(x, GRID_ORIGIN.y - gap - length).lineTo(x, GRID_ORIGIN.y - gap);
    doc.moveTo(x, bottom + gap).lineTo(x, bottom + gap + length);
  }
  for (let r = 0; r <= GRID.rows; r++) {
    const y = GRID_ORIGIN.y + r * CARD.height;
    doc.moveTo(GRID_ORIGIN.x - gap - length, y).lineTo(GRID_ORIGIN.x - gap, y);
    doc.moveTo(right + gap, y).lineTo(right + gap + length, y);
  }
  doc.stroke().restore();
}

/** Largest size from `max` down to `min` at which `text` fits `width` on one line, or null. */
function fitSize(doc: PDFKit.PDFDocument, text: string, width: number, max: number, min: number): number | null {
  for (let size = max; size >= min; size -= 0.5) {
    if (doc.fontSize(size).widthOfString(text) <= width) return size;
  }
  return null;
}

function oneLine(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number, max: number, min: number): number {
  const size = fitSize(doc, text, width, max, min) ?? min;
  doc.fontSize(size).text(text, x, y, { width, lineBreak: false, ellipsis: true, height: size * 1.3 });
  return size * 1.3;
}

function drawCard(
  doc: PDFKit.PDFDocument,
  card: PrintableCard,
  photo: Buffer | null,
  x: number,
  y: number,
  schoolName: string,
  idLabel: string,
): void {
  const { band, photo: ph, qr, text } = CARD_AREAS;
  doc.save();
  doc.lineWidth(0.3).strokeColor(COLORS.outline).rect(x, y, CARD.width, CARD.height).stroke();
  doc.rect(x, y, CARD.width, band.height).fill(COLORS.band);
  doc.font(FONT).fillColor(COLORS.bandText);
  const schoolSize = fitSize(doc, schoolName, CARD.width - 16, 11, 6) ?? 6;
  doc.fontSize(schoolSize).text(schoolName, x + 8, y + (band.height - schoolSize * 1.2) / 2, {
    width: CARD.width - 16,
    lineBreak: false,
    ellipsis: true,
    height: schoolSize * 1.3,
  });

  if (photo) drawPhoto(doc, card, photo, x + ph.x, y + ph.y, ph.width, ph.height);
  else drawSilhouette(doc, x + ph.x, y + ph.y, ph.width, ph.height);

  const tx = x + text.x;
  let ty = y + text.y;
  doc.fillColor(COLORS.text);
  const nameSize = fitSize(doc, card.name, TEXT_WIDTH, 16, 11);
  if (nameSize !== null) {
    ty += oneLine(doc, card.name, tx, ty, TEXT_WIDTH, nameSize, nameSize) + 3;
  } else {
    // Long names (e.g. Uyghur names with ·) wrap onto several lines; a name is never cut
    // while it fits at 7 pt, since a guard compares it with the face.
    const size = [10, 9, 8, 7].find((s) => doc.fontSize(s).heightOfString(card.name, { width: TEXT_WIDTH }) <= NAME_BOX_HEIGHT) ?? 7;
    doc.fontSize(size).text(card.name, tx, ty, { width: TEXT_WIDTH, height: NAME_BOX_HEIGHT, ellipsis: true });
    ty += Math.min(doc.heightOfString(card.name, { width: TEXT_WIDTH }), NAME_BOX_HEIGHT) + 3;
  }
  const place = [card.grade, card.className].filter(Boolean).join(' ');
  if (place) ty += oneLine(doc, place, tx, ty, TEXT_WIDTH, 9, 6) + 2;
  doc.fillColor(COLORS.muted);
  oneLine(doc, `${idLabel} ${card.personId}`, tx, ty, TEXT_WIDTH, 8, 5);
  if (card.cardVersion !== undefined) {
    oneLine(doc, `卡版本 ${card.cardVersion}`, tx, y + CARD.height - 14, TEXT_WIDTH, 6.5, 5);
  }
  drawQr(doc, card.credential, x + qr.x, y + qr.y, qr.size);
  doc.restore();
}

function drawPhoto(doc: PDFKit.PDFDocument, card: PrintableCard, photo: Buffer, x: number, y: number, w: number, h: number): void {
  doc.save();
  doc.rect(x, y, w, h).clip();
  try {
    doc.image(photo, x, y, { cover: [w, h], align: 'center', valign: 'center' });
  } catch (err) {
    throw new CardToolError('cards.sheet.photo_unreadable', {
      personId: card.personId,
      path: card.photo ?? '',
      detail: (err as Error).message,
    });
  } finally {
    doc.restore();
  }
  doc.lineWidth(0.3).strokeColor(COLORS.outline).rect(x, y, w, h).stroke();
}

/** A neutral head-and-shoulders figure for people without a photo. */
function drawSilhouette(doc: PDFKit.PDFDocument, x: number, y: number, w: number, h: number): void {
  doc.save();
  doc.rect(x, y, w, h).fill(COLORS.photoBg);
  doc.rect(x, y, w, h).clip();
  doc.circle(x + w / 2, y + h * 0.36, w * 0.2).fill(COLORS.silhouette);
  doc.ellipse(x + w / 2, y + h * 0.98, w * 0.38, h * 0.3).fill(COLORS.silhouette);
  doc.restore();
}
