import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyring, verifyCredential } from '@campus/protocol/credentials/index';
import {
  CardToolError,
  issueCards,
  parseCardRoster,
  writeCardSheet,
  type IssuedCard,
  type PrintableCard,
} from '@campus/edge-agent/cards/index';
import { countPdfPages, decodeQrOnPage, makeJpeg, pdfInfoPages, pdfText, tempDir, writePng } from './fixtures.js';

const issuer = generateKeyPairSync('ed25519');
const keyring = createKeyring({ K1: issuer.publicKey });
const SCHOOL = '北京市海淀区实验中学';
const SURNAMES = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('sheet')));
afterEach(() => cleanup());

async function classOf(n: number, photoFor?: (i: number) => string): Promise<IssuedCard[]> {
  const lines = ['学号,姓名,年级,班级,照片'];
  for (let i = 0; i < n; i++) {
    lines.push(`${2023010100 + i},${SURNAMES[i % SURNAMES.length]}同学${i},高一,${1 + (i % 12)}班,${photoFor?.(i) ?? ''}`);
  }
  const r = await parseCardRoster(lines.join('\n'), { baseDir: dir });
  if (!r.ok) throw new Error(JSON.stringify(r.errors.map((e) => e.message)));
  return issueCards(r.rows, issuer.privateKey, 'K1');
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    expect(err).toBeInstanceOf(CardToolError);
    return (err as CardToolError).code;
  }
}

describe('writeCardSheet', () => {
  it.each([
    [1, 1],
    [10, 1],
    [11, 2],
    [23, 3],
  ])('%d cards → %d A4 pages', async (n, pages) => {
    const out = join(dir, 'cards.pdf');
    const result = await writeCardSheet(await classOf(n), out, { schoolName: SCHOOL });
    expect(result).toEqual({ cards: n, pages });
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(countPdfPages(pdf)).toBe(pages);
    expect(pdfInfoPages(out)).toBe(pages);
    expect(readFileSync(out, 'latin1')).toContain('/MediaBox [0 0 595.28 841.89]');
  });

  it('prints QR codes that a real decoder reads back as the exact, verifiable credentials', async () => {
    const cards = await classOf(12);
    const out = join(dir, 'cards.pdf');
    await writeCardSheet(cards, out, { schoolName: SCHOOL });
    const page1 = decodeQrOnPage(out, 1, dir);
    expect(page1.sort()).toEqual(cards.slice(0, 10).map((c) => c.credential).sort());
    const page2 = decodeQrOnPage(out, 2, dir);
    expect(page2.sort()).toEqual(cards.slice(10).map((c) => c.credential).sort());
    for (const text of [...page1, ...page2]) expect(verifyCredential(text, keyring, Date.now()).ok).toBe(true);
  });

  it('prints the school, names, classes and ids in Chinese (text extractable from the PDF)', async () => {
    const cards = await classOf(3);
    const out = join(dir, 'cards.pdf');
    await writeCardSheet(cards, out, { schoolName: SCHOOL, idLabel: '学号' });
    const text = pdfText(out);
    expect(text.split(SCHOOL).length - 1).toBe(3);
    for (const c of cards) {
      expect(text).toContain(c.name);
      expect(text).toContain(`学号 ${c.personId}`);
      expect(text).toContain(`高一 ${c.className}`);
    }
  });

  it('places JPEG and PNG photos, and a silhouette for people without one', async () => {
    const jpeg = await makeJpeg(dir, 'face');
    writePng(dir, 'face.png');
    const cards = await classOf(3, (i) => ['face.jpg', 'face.png', ''][i]!);
    expect(cards.map((c) => c.photo)).toEqual([jpeg, join(dir, 'face.png'), null]);
    const out = join(dir, 'cards.pdf');
    await writeCardSheet(cards, out, { schoolName: SCHOOL });
    const pdf = readFileSync(out, 'latin1');
    expect(pdf.match(/\/Subtype \/Image/g)).toHaveLength(2);
    expect(pdf).toContain('/DCTDecode');
  });

  it('shrinks or wraps long names instead of overflowing the card', async () => {
    const cards: PrintableCard[] = [
      { personId: '1', name: '阿卜杜热合曼·买买提江·艾合买提', grade: '高二', className: '10班', credential: (await classOf(1))[0]!.credential },
    ];
    const out = join(dir, 'cards.pdf');
    await writeCardSheet(cards, out, { schoolName: '新疆维吾尔自治区乌鲁木齐市第一中学（初中部与高中部）' });
    const text = pdfText(out).replace(/\s+/g, '');
    expect(text).toContain('阿卜杜热合曼·买买提江·艾合买提'); // wrapped, never cut
    expect(countPdfPages(readFileSync(out))).toBe(1);
  });

  it('reports progress for every card, ending at total', async () => {
    const seen: Array<[number, number]> = [];
    await writeCardSheet(await classOf(15), join(dir, 'cards.pdf'), {
      schoolName: SCHOOL,
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => [i + 1, 15]));
  });

  it('streams: finished pages reach the output before the last card is drawn', async () => {
    const chunks: Buffer[] = [];
    let received = 0;
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        received += chunk.length;
        setImmediate(done);
      },
    });
    const receivedAt: number[] = [];
    const n = 35;
    await writeCardSheet(await classOf(n), sink, {
      schoolName: SCHOOL,
      onProgress: () => receivedAt.push(received),
    });
    const total = Buffer.concat(chunks);
    expect(countPdfPages(total)).toBe(4);
    // When card 31 (first of page 4) is drawn, pages 1-3 have already been written out.
    expect(receivedAt[30]).toBeGreaterThan(0);
    expect(receivedAt[30]).toBeLessThan(total.length);
  });

  it('refuses an empty run', async () => {
    expect(await codeOf(writeCardSheet([], join(dir, 'x.pdf'), { schoolName: SCHOOL }))).toBe('cards.sheet.no_cards');
  });
});

describe('writeCardSheet: nothing is written when it cannot print correctly', () => {
  it('a missing font names the Debian package to install', async () => {
    const out = join(dir, 'cards.pdf');
    try {
      await writeCardSheet(await classOf(2), out, { schoolName: SCHOOL, fontPath: join(dir, 'nope.ttf') });
      expect.unreachable();
    } catch (err) {
      expect((err as CardToolError).code).toBe('cards.sheet.font_missing');
      expect((err as CardToolError).texts['zh-CN']).toContain('fonts-wqy-microhei');
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a font without Chinese glyphs is refused', async () => {
    const latinOnly = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
    expect(existsSync(latinOnly)).toBe(true);
    expect(await codeOf(writeCardSheet(await classOf(1), join(dir, 'x.pdf'), { schoolName: SCHOOL, fontPath: latinOnly }))).toBe(
      'cards.sheet.font_not_cjk',
    );
  });

  it('a file that is not a font is refused', async () => {
    const bogus = join(dir, 'bogus.ttf');
    writeFileSync(bogus, 'not a font');
    expect(await codeOf(writeCardSheet(await classOf(1), join(dir, 'x.pdf'), { schoolName: SCHOOL, fontPath: bogus }))).toBe(
      'cards.sheet.font_unusable',
    );
  });

  it('characters the font cannot draw are listed per person before anything is written', async () => {
    const [a, b] = await classOf(2);
    const cards = [
      { ...a!, name: '王𪚥' }, // CJK Extension B, missing from WenQuanYi Micro Hei
      { ...b!, className: '3班🙂' },
    ];
    const out = join(dir, 'cards.pdf');
    try {
      await writeCardSheet(cards, out, { schoolName: SCHOOL });
      expect.unreachable();
    } catch (err) {
      const e = err as CardToolError;
      expect(e.code).toBe('cards.sheet.glyph_missing');
      expect(e.issues.map((i) => i.message['zh-CN'])).toEqual([
        `${a!.personId}（姓名）含字体 WenQuanYi Micro Hei 无法显示的字符「𪚥」，请换用更全的字体`,
        `${b!.personId}（班级）含字体 WenQuanYi Micro Hei 无法显示的字符「🙂」，请换用更全的字体`,
      ]);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a photo that disappeared after validation aborts the run and leaves no partial file', async () => {
    writePng(dir, 'p.png');
    const cards = await classOf(14, (i) => (i === 12 ? 'p.png' : ''));
    rmSync(join(dir, 'p.png'));
    const out = join(dir, 'cards.pdf');
    expect(await codeOf(writeCardSheet(cards, out, { schoolName: SCHOOL }))).toBe('cards.sheet.photo_unreadable');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a corrupt photo is reported with the person', async () => {
    writeFileSync(join(dir, 'bad.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 7)]));
    const cards = await classOf(1, () => 'bad.jpg');
    try {
      await writeCardSheet(cards, join(dir, 'cards.pdf'), { schoolName: SCHOOL });
      expect.unreachable();
    } catch (err) {
      expect((err as CardToolError).code).toBe('cards.sheet.photo_unreadable');
      expect((err as CardToolError).texts['zh-CN']).toContain(cards[0]!.personId);
    }
    expect(readdirSync(dir)).toEqual(['bad.jpg']);
  });
});
