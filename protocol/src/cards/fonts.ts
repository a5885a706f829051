import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as fontkit from 'fontkit';
import { CardToolError, cardIssue, type CardIssue } from './errors.js';

/**
 * pdfkit's built-in fonts have no Chinese glyphs, so card sheets need a CJK font file.
 * Debian packages, in order of preference (CI installs fonts-wqy-microhei).
 */
export const DEFAULT_CJK_FONT_PATHS = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
] as const;

const ZHONG = 0x4e2d; // 中: a font without it is not a Chinese font

export interface CardFont {
  path: string;
  /** Face inside a .ttc collection, for pdfkit's registerFont; undefined for single fonts. */
  face: string | undefined;
  displayName: string;
  /** Characters of `text` the font cannot draw (whitespace ignored), each once. */
  missingChars(text: string): string[];
}

/** Opens the card font: `path` if given, else the first Debian CJK font present. */
export function openCardFont(path?: string): CardFont {
  const candidates = path ? [path] : [...DEFAULT_CJK_FONT_PATHS];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new CardToolError('cards.sheet.font_missing', { path: candidates.join(', ') });
  let opened: fontkit.Font | fontkit.FontCollection;
  try {
    opened = fontkit.openSync(found);
  } catch (err) {
    throw new CardToolError('cards.sheet.font_unusable', { path: found, detail: (err as Error).message });
  }
  const faces = 'fonts' in opened ? opened.fonts : [opened];
  const font = faces.find((f) => f.hasGlyphForCodePoint(ZHONG));
  if (!font) throw new CardToolError('cards.sheet.font_not_cjk', { path: found });
  return {
    path: found,
    face: 'fonts' in opened ? font.postscriptName : undefined,
    displayName: font.familyName || basename(found),
    missingChars(text: string): string[] {
      const missing = new Set<string>();
      for (const ch of text) {
        if (/\s/.test(ch)) continue;
        if (!font.hasGlyphForCodePoint(ch.codePointAt(0)!)) missing.add(ch);
      }
      return [...missing];
    },
  };
}

/** One issue per card field with characters the font lacks (a rare 姓 prints as a box otherwise). */
export function findMissingGlyphs(
  font: CardFont,
  fields: Iterable<{ personId: string; field: string; text: string }>,
): CardIssue[] {
  const issues: CardIssue[] = [];
  for (const { personId, field, text } of fields) {
    const chars = font.missingChars(text);
    if (chars.length > 0) {
      issues.push(cardIssue('cards.sheet.glyph_missing', { personId, field, chars: chars.join(''), font: font.displayName }));
    }
  }
  return issues;
}
