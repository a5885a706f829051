import { open, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CREDENTIAL_LIMITS, PERSON_ID_RE } from '@campus/protocol/credentials/index';
import { parseCsv, CsvSyntaxError, type CsvRecord } from './csv.js';
import { cardIssue, type CardIssue } from './errors.js';
import type { CardMessageId } from './messages.js';

/**
 * The roster a school hands in for printing cards: CSV from Excel/WPS, UTF-8 with or
 * without BOM, Chinese or English headers. Every row is checked and every problem is
 * reported with its row; rows come back only when the whole file is valid, so a card run
 * never prints half a class.
 */
export interface CardRosterRow {
  /** The row number a spreadsheet shows (the header is row 1). */
  row: number;
  personId: string;
  name: string;
  grade: string | null;
  className: string | null;
  /** Absolute path of a JPEG/PNG photo, or null for the placeholder silhouette. */
  photo: string | null;
  /** Card version to issue; null = let the issuing side decide (usually the person's current). */
  version: number | null;
}

export interface RosterProblem extends CardIssue {
  /** Spreadsheet row, or null for a problem with the whole file. */
  row: number | null;
  column: string | null;
}

export interface CardRosterReport {
  ok: boolean;
  /** All rows when ok, none otherwise. */
  rows: CardRosterRow[];
  errors: RosterProblem[];
  warnings: RosterProblem[];
  /** Data rows read (without header and blank rows). */
  total: number;
}

type Field = 'personId' | 'name' | 'grade' | 'className' | 'photo' | 'version';

/** Header spellings per field, compared after normalizeHeader. The first is shown in messages. */
export const ROSTER_COLUMNS: Record<Field, { required: boolean; aliases: readonly string[] }> = {
  personId: { required: true, aliases: ['学号', '工号', '学号/工号', '编号', '人员编号', 'person_id', 'id', 'student_id', 'staff_id'] },
  name: { required: true, aliases: ['姓名', '名字', 'name'] },
  grade: { required: false, aliases: ['年级', 'grade'] },
  className: { required: false, aliases: ['班级', '班', 'class', 'class_name'] },
  photo: { required: false, aliases: ['照片', '照片路径', '相片', 'photo', 'photo_path', 'photo_file'] },
  version: { required: false, aliases: ['卡版本', '卡片版本', '版本', 'version', 'card_version'] },
};

const MAX_LENGTH: Partial<Record<Field, number>> = { name: 32, grade: 16, className: 32, photo: 1024 };
const LARGE_PHOTO_BYTES = 200 * 1024;

/** "Person ID", "person_id" and "PersonId" are one header; "学号*" and "照片（可选）" too. */
function normalizeHeader(h: string): string {
  return h
    .trim()
    .replace(/[（(][^）)]*[）)]$/, '')
    .replace(/[*＊]/g, '')
    .toLowerCase()
    .replace(/[\s_-]/g, '');
}

const HEADER_LOOKUP = new Map<string, Field>();
for (const [field, spec] of Object.entries(ROSTER_COLUMNS) as Array<[Field, (typeof ROSTER_COLUMNS)[Field]]>) {
  for (const alias of spec.aliases) HEADER_LOOKUP.set(normalizeHeader(alias), field);
}

function problem(code: CardMessageId, row: number | null, column: string | null, params: Record<string, string | number>): RosterProblem {
  return { ...cardIssue(code, { row: row ?? '', column: column ?? '', ...params }), row, column };
}

function decode(input: string | Uint8Array): string | null {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  try {
    // fatal: GBK bytes must be reported, not turned into replacement characters on a card.
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return null;
  }
}

/** A photo's problem, or its size in bytes when it can be placed on a card. */
async function checkPhoto(path: string, row: number, value: string): Promise<RosterProblem | number> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    const { size } = await handle.stat();
    const jpeg = bytesRead >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
    const png = bytesRead === 8 && head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    if (!jpeg && !png) return problem('cards.roster.photo_format', row, '照片', { value });
    return size;
  } catch {
    return problem('cards.roster.photo_missing', row, '照片', { value });
  } finally {
    await handle?.close();
  }
}

export interface ParseRosterOptions {
  /** Relative photo paths are resolved against this directory (the CSV's own directory). */
  baseDir?: string;
}

export async function parseCardRoster(input: string | Uint8Array, opts: ParseRosterOptions = {}): Promise<CardRosterReport> {
  const errors: RosterProblem[] = [];
  const warnings: RosterProblem[] = [];
  const failed = (total = 0): CardRosterReport => ({ ok: false, rows: [], errors, warnings, total });

  const text = decode(input);
  if (text === null) {
    errors.push(problem('cards.roster.not_utf8', null, null, {}));
    return failed();
  }
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    errors.push(problem('cards.roster.bad_csv', err.row, null, {}));
    return failed();
  }
  const [header, ...data] = records;
  if (!header || data.length === 0) {
    errors.push(problem('cards.roster.empty', null, null, {}));
    return failed();
  }

  const columnOf = new Map<Field, number>();
  header.fields.forEach((raw, index) => {
    const field = HEADER_LOOKUP.get(normalizeHeader(raw));
    if (!field) {
      if (raw.trim() !== '') warnings.push(problem('cards.roster.ignored_column', 1, raw.trim(), {}));
      return;
    }
    const first = columnOf.get(field);
    if (first !== undefined) {
      errors.push(problem('cards.roster.duplicate_column', 1, raw.trim(), { first: first + 1, second: index + 1 }));
    } else {
      columnOf.set(field, index);
    }
  });
  for (const [field, spec] of Object.entries(ROSTER_COLUMNS) as Array<[Field, (typeof ROSTER_COLUMNS)[Field]]>) {
    if (spec.required && !columnOf.has(field)) {
      errors.push(problem('cards.roster.missing_column', 1, spec.aliases[0]!, { aliases: spec.aliases.join(' / ') }));
    }
  }
  if (errors.length > 0) return failed(data.length);

  const baseDir = opts.baseDir ?? process.cwd();
  const firstRowOf = new Map<string, number>();
  const rows: CardRosterRow[] = [];
  for (const rec of data) {
    const { row, fields } = rec;
    if (fields.length !== header.fields.length) {
      errors.push(problem('cards.roster.column_count', row, null, { count: fields.length, expected: header.fields.length }));
      continue;
    }
    const get = (f: Field): string => {
      const i = columnOf.get(f);
      return i === undefined ? '' : (fields[i] ?? '').trim();
    };
    const header1 = (f: Field) => header.fields[columnOf.get(f)!]!.trim();
    let rowOk = true;
    const reject = (code: CardMessageId, f: Field | null, params: Record<string, string | number> = {}) => {
      errors.push(problem(code, row, f ? header1(f) : null, params));
      rowOk = false;
    };

    const personId = get('personId');
    if (personId === '') reject('cards.roster.missing_person_id', 'personId');
    else if (!PERSON_ID_RE.test(personId)) reject('cards.roster.bad_person_id', 'personId', { value: personId });
    else {
      const first = firstRowOf.get(personId);
      if (first !== undefined) reject('cards.roster.duplicate_person_id', 'personId', { value: personId, firstRow: first });
      else firstRowOf.set(personId, row);
    }

    const name = get('name');
    if (name === '') reject('cards.roster.missing_name', 'name');
    for (const f of ['name', 'grade', 'className', 'photo'] as const) {
      const max = MAX_LENGTH[f]!;
      if ([...get(f)].length > max) reject('cards.roster.too_long', f, { max });
    }

    const versionText = get('version');
    let version: number | null = null;
    if (versionText !== '') {
      const n = /^\d{1,6}$/.test(versionText) ? Number(versionText) : NaN;
      if (!(n >= 1 && n <= CREDENTIAL_LIMITS.maxCardVersion)) {
        reject('cards.roster.bad_version', 'version', { value: versionText, max: CREDENTIAL_LIMITS.maxCardVersion });
      } else version = n;
    }

    const photoText = get('photo');
    let photo: string | null = null;
    if (photoText !== '') {
      photo = isAbsolute(photoText) ? photoText : resolve(baseDir, photoText);
      const checked = await checkPhoto(photo, row, photoText);
      if (typeof checked !== 'number') {
        errors.push({ ...checked, column: header1('photo') });
        rowOk = false;
      } else if (checked > LARGE_PHOTO_BYTES) {
        const sizeKb = Math.round(checked / 1024);
        warnings.push(problem('cards.roster.photo_large', row, header1('photo'), { value: photoText, sizeKb }));
      }
    }

    if (rowOk) {
      rows.push({ row, personId, name, grade: get('grade') || null, className: get('className') || null, photo, version });
    }
  }
  if (errors.length > 0) return failed(data.length);
  return { ok: true, rows, errors, warnings, total: data.length };
}

/** Reads a roster file; relative photo paths are taken from the file's directory. */
export async function readCardRoster(path: string): Promise<CardRosterReport> {
  return parseCardRoster(await readFile(path), { baseDir: dirname(resolve(path)) });
}
