import type { PersonView } from '@campus/protocol/access/index';

export type CardState =
  | { kind: 'none' }
  | { kind: 'valid'; version: number }
  /** The card in hand was revoked: the next one printed must carry `version`. */
  | { kind: 'reissue'; version: number };

export function cardState(p: Pick<PersonView, 'cardVersion' | 'minCardVersion'>): CardState {
  if (p.cardVersion >= 1 && p.cardVersion >= p.minCardVersion) return { kind: 'valid', version: p.cardVersion };
  if (p.minCardVersion > 1 || p.cardVersion >= 1) return { kind: 'reissue', version: Math.max(p.minCardVersion, p.cardVersion + 1) };
  return { kind: 'none' };
}

/** The version to print for a person: the card in hand again, or the replacement after a revocation. */
export function versionToPrint(p: Pick<PersonView, 'cardVersion' | 'minCardVersion'>): number {
  const s = cardState(p);
  return s.kind === 'none' ? Math.max(1, p.minCardVersion) : s.version;
}

/** The version the edge will refuse below once the card in hand is revoked. */
export function nextCardVersion(p: Pick<PersonView, 'cardVersion' | 'minCardVersion'>): number {
  return Math.max(p.cardVersion + 1, p.minCardVersion);
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The roster `campus-edge cards issue --roster` reads on the issuing PC (edge-agent/src/cards/roster.ts):
 * UTF-8 with a BOM so Excel and WPS open it too, Chinese headers, CRLF.
 */
export function cardRosterCsv(people: readonly PersonView[]): string {
  const rows = [['学号', '姓名', '年级', '班级', '卡版本']];
  for (const p of people) rows.push([p.id, p.name, p.gradeName ?? '', p.className ?? '', String(versionToPrint(p))]);
  return '\uFEFF' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
