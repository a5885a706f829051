import type { KeyObject } from 'node:crypto';
import { encodeCredential } from '@campus/protocol/credentials/index';
import { csvField } from './csv.js';
import type { CardRosterRow } from './roster.js';

/** A signed card ready to print or to load into the edge. */
export interface IssuedCard {
  personId: string;
  name: string;
  grade: string | null;
  className: string | null;
  photo: string | null;
  cardVersion: number;
  /** The QR text ("SC1:..."). */
  credential: string;
}

export interface IssueCardsOptions {
  /**
   * Version for rows without one, e.g. the person's current version from the edge store
   * (a reissue passes current + 1). Undefined answer or no function → 1.
   */
  versionFor?: (personId: string) => number | undefined;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Signs one card per roster row with the issuer's private key. Rows come from a valid
 * roster report, so the only errors left are a bad key or kid (CredentialKeyError).
 */
export function issueCards(
  rows: readonly CardRosterRow[],
  privateKey: KeyObject | string,
  kid: string,
  opts: IssueCardsOptions = {},
): IssuedCard[] {
  const issued: IssuedCard[] = [];
  for (const row of rows) {
    const cardVersion = row.version ?? opts.versionFor?.(row.personId) ?? 1;
    const credential = encodeCredential({ kind: 'card', personId: row.personId, cardVersion }, privateKey, kid);
    issued.push({
      personId: row.personId,
      name: row.name,
      grade: row.grade,
      className: row.className,
      photo: row.photo,
      cardVersion,
      credential,
    });
    opts.onProgress?.(issued.length, rows.length);
  }
  return issued;
}

/** 学号,姓名,年级,班级,卡版本,凭证 — UTF-8 with BOM so Excel shows the Chinese headers. */
export function formatIssuedCardsCsv(cards: readonly IssuedCard[]): string {
  const lines = ['学号,姓名,年级,班级,卡版本,凭证'];
  for (const c of cards) {
    lines.push(
      [c.personId, c.name, c.grade ?? '', c.className ?? '', String(c.cardVersion), c.credential].map(csvField).join(','),
    );
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
