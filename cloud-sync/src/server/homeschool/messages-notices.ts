import { createHash } from 'node:crypto';
import { z } from 'zod';
import { bilingual } from '@campus/protocol';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../staff/staff-auth.js';
import { isSchoolWide, taughtClasses } from './messages-common.js';
import './messages-texts.js';

export const IMAGE_MAX_BYTES = 4 * 1024 * 1024;
export const FILE_MAX_BYTES = 10 * 1024 * 1024;
export const MAX_IMAGES = 9;
export const MAX_FILES = 5;

export const NoticeInputSchema = z.strictObject({
  scope: z.enum(['school', 'grade', 'class']),
  /** The class id, or the grade as the prefix its class ids share ("三年级"); empty for the school. */
  target: z.string().trim().max(64).default(''),
  title: z.string().trim().min(1).max(100),
  body: z.string().max(5000),
  /** false: a draft, to attach images and files before publishing. */
  publish: z.boolean().default(true),
});
export const FileQuerySchema = z.object({ kind: z.enum(['image', 'file']), name: z.string().trim().min(1).max(100) });

export interface NoticeFile {
  id: string;
  kind: 'image' | 'file';
  name: string;
  mime: string;
  size: number;
}

export interface Notice {
  id: string;
  schoolId: string;
  scope: 'school' | 'grade' | 'class';
  target: string;
  title: string;
  /** Plain text: shown as text by every client, never as markup. */
  body: string;
  authorName: string;
  createdAt: number;
  publishedAt: number | null;
  files: NoticeFile[];
}

interface NoticeRow {
  id: string;
  school_id: string;
  scope: Notice['scope'];
  target: string;
  title: string;
  body: string;
  author_account: string;
  author_name: string;
  created_at: number;
  published_at: number | null;
  recipients: number;
  reminded_at: number | null;
  reminded_count: number | null;
}

const MAGIC: { mime: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/gif', test: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')) },
  { mime: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

const ZIP_TYPES: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  zip: 'application/zip',
};
const OLE_TYPES: Record<string, string> = { doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint' };

/** The image type the bytes are (by their signature), or null: the uploader's claim counts for nothing. */
export function imageType(b: Buffer): string | null {
  return MAGIC.find((m) => m.test(b))?.mime ?? null;
}

/**
 * The type an attachment is served as, from its content and its extension together; null
 * for anything else (HTML, SVG, scripts, executables are never accepted).
 */
export function attachmentType(name: string, b: Buffer): string | null {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase() ?? '';
  const image = imageType(b);
  if (image) return image;
  if (ext === 'pdf' && b.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (ZIP_TYPES[ext] && b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return ZIP_TYPES[ext];
  if (OLE_TYPES[ext] && b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) return OLE_TYPES[ext];
  if ((ext === 'txt' || ext === 'csv') && !b.includes(0)) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b);
      return ext === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8';
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Announcements (家校通知) of the school, a grade or a class, with images and attachments.
 * Publishing fixes the recipients (the guardians of the children in the audience, one row
 * per phone number); a guardian opening the notice records the read receipt once. The
 * author (or the school office) sees who has read and who has not, and may remind the
 * rest once: an in-app alert to each, tracked on the notice.
 */
export class NoticeBoard {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- staff ----

  async create(q: Queryable, p: Principal, schoolId: string, input: z.infer<typeof NoticeInputSchema>): Promise<{ notice: Notice; recipients: number }> {
    let target = input.target;
    if (input.scope === 'school') target = '';
    else if (!target) throw new HttpError(400, 'home.msg.error.target');
    if (input.scope !== 'class' && !isSchoolWide(p)) throw new HttpError(403, 'home.msg.error.scope');
    if (input.scope === 'class' && !isSchoolWide(p) && !(await taughtClasses(q, p, schoolId)).includes(target)) throw new HttpError(403, 'home.msg.error.not_class_teacher', { classId: target });
    const id = newId('nt');
    await q.query(
      `INSERT INTO hs_notices (id, school_id, scope, target, title, body, author_account, author_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, schoolId, input.scope, target, input.title, input.body, p.accountId, p.displayName || p.username, this.now()],
    );
    const recipients = input.publish ? await this.fixRecipients(q, schoolId, id) : 0;
    return { notice: (await this.get(q, schoolId, id))!, recipients };
  }

  async publish(q: Queryable, p: Principal, schoolId: string, id: string): Promise<{ notice: Notice; recipients: number }> {
    const row = await this.managed(q, p, schoolId, id, true);
    if (row.published_at !== null) throw new HttpError(409, 'home.msg.error.published');
    const recipients = await this.fixRecipients(q, schoolId, id);
    return { notice: (await this.get(q, schoolId, id))!, recipients };
  }

  /** Withdraws a draft (e.g. after a refused file); a published notice stays (its receipts are a record). */
  async discard(q: Queryable, p: Principal, schoolId: string, id: string): Promise<void> {
    const row = await this.managed(q, p, schoolId, id, true);
    if (row.published_at !== null) throw new HttpError(409, 'home.msg.error.published_kept');
    await q.query('DELETE FROM hs_notices WHERE id = $1', [id]);
  }

  async attach(q: Queryable, p: Principal, schoolId: string, id: string, kind: 'image' | 'file', name: string, content: Buffer): Promise<NoticeFile> {
    const row = await this.managed(q, p, schoolId, id, true);
    if (row.published_at !== null) throw new HttpError(409, 'home.msg.error.published');
    if (content.length === 0) throw new HttpError(400, 'home.msg.error.empty_file');
    const limit = kind === 'image' ? IMAGE_MAX_BYTES : FILE_MAX_BYTES;
    if (content.length > limit) throw new HttpError(413, 'home.msg.error.too_large', { name, limitMb: limit / 1024 / 1024 });
    const mime = kind === 'image' ? imageType(content) : attachmentType(name, content);
    if (!mime) throw new HttpError(415, kind === 'image' ? 'home.msg.error.not_image' : 'home.msg.error.file_type', { name });
    const n = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM hs_notice_files WHERE notice_id = $1 AND kind = $2', [id, kind]);
    const max = kind === 'image' ? MAX_IMAGES : MAX_FILES;
    if (Number(n.rows[0]!.n) >= max) throw new HttpError(409, 'home.msg.error.too_many_files', { max, kind: bilingual(kind === 'image' ? 'parent.msg.images' : 'parent.msg.files')['zh-CN'] });
    const fileId = newId('nf');
    const sha = createHash('sha256').update(content).digest('hex');
    await q.query('INSERT INTO hs_notice_files (id, notice_id, kind, name, mime, size, sha256, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      fileId,
      id,
      kind,
      name,
      mime,
      content.length,
      sha,
      content,
      this.now(),
    ]);
    return { id: fileId, kind, name, mime, size: content.length };
  }

  /** Notices the staff member may manage: the school office and admin all of the school's, others their own and those of classes they teach. */
  async forStaff(q: Queryable, p: Principal, schoolId: string, limit = 50): Promise<(Notice & { recipients: number; read: number; remindedAt: number | null; remindedCount: number | null })[]> {
    const classes = isSchoolWide(p) ? null : await taughtClasses(q, p, schoolId);
    const r = await q.query<NoticeRow & { read: number }>(
      `SELECT n.*, (SELECT count(*)::int FROM hs_notice_recipients x WHERE x.notice_id = n.id AND x.read_at IS NOT NULL) AS read FROM hs_notices n
       WHERE n.school_id = $1 AND ($2::text[] IS NULL OR n.author_account = $3 OR (n.scope = 'class' AND n.target = ANY($2::text[])))
       ORDER BY n.created_at DESC, n.id LIMIT $4`,
      [schoolId, classes, p.accountId, limit],
    );
    const files = await this.filesOf(q, r.rows.map((x) => x.id));
    return r.rows.map((x) => ({ ...this.toNotice(x, files), recipients: x.recipients, read: Number(x.read), remindedAt: x.reminded_at === null ? null : Number(x.reminded_at), remindedCount: x.reminded_count }));
  }

  /** Read receipts: who has read (and when) and who has not, by guardian name and child; never phone numbers. */
  async receipts(q: Queryable, p: Principal, schoolId: string, id: string) {
    const row = await this.managed(q, p, schoolId, id, false);
    const r = await q.query<{ guardian_name: string; students: string; read_at: number | null; reminded_at: number | null }>(
      'SELECT guardian_name, students, read_at, reminded_at FROM hs_notice_recipients WHERE notice_id = $1 ORDER BY students, guardian_name',
      [id],
    );
    const read = r.rows.filter((x) => x.read_at !== null).map((x) => ({ guardianName: x.guardian_name, students: x.students, readAt: Number(x.read_at) }));
    const unread = r.rows.filter((x) => x.read_at === null).map((x) => ({ guardianName: x.guardian_name, students: x.students, remindedAt: x.reminded_at === null ? null : Number(x.reminded_at) }));
    return { noticeId: id, total: r.rows.length, readCount: read.length, read, unread, remindedAt: row.reminded_at === null ? null : Number(row.reminded_at), remindedCount: row.reminded_count };
  }

  /** The one reminder to those who have not read: an in-app alert each; a second reminder is refused. */
  async remind(q: Queryable, p: Principal, schoolId: string, id: string): Promise<{ reminded: number; remindedAt: number }> {
    const row = await this.managed(q, p, schoolId, id, true);
    if (row.published_at === null) throw new HttpError(409, 'home.msg.error.not_published');
    const t = this.now();
    const claim = await q.query('UPDATE hs_notices SET reminded_at = $2, reminded_by = $3 WHERE id = $1 AND reminded_at IS NULL', [id, t, p.accountId]);
    if (!claim.rowCount) {
      const at = new Date(Number(row.reminded_at ?? t)).toISOString().slice(0, 16).replace('T', ' ');
      throw new HttpError(409, 'home.msg.error.already_reminded', { time: `${at} UTC` });
    }
    const text = (l: 'zh-CN' | 'en') => bilingual('home.msg.alert.reminder', { title: row.title, author: row.author_name })[l];
    const r = await q.query(
      `INSERT INTO hs_alerts (school_id, kind, subject_id, recipient_type, recipient, text_zh, text_en, created_at)
       SELECT $1, 'notice_reminder', $2, 'guardian', phone, $3, $4, $5 FROM hs_notice_recipients WHERE notice_id = $2 AND read_at IS NULL
       ON CONFLICT DO NOTHING`,
      [schoolId, id, text('zh-CN'), text('en'), t],
    );
    await q.query('UPDATE hs_notice_recipients SET reminded_at = $2 WHERE notice_id = $1 AND read_at IS NULL', [id, t]);
    const reminded = r.rowCount ?? 0;
    await q.query('UPDATE hs_notices SET reminded_count = $2 WHERE id = $1', [id, reminded]);
    return { reminded, remindedAt: t };
  }

  /** A file of a notice the staff member manages. */
  async staffFile(q: Queryable, p: Principal, schoolId: string, id: string, fileId: string) {
    await this.managed(q, p, schoolId, id, false);
    return this.file(q, id, fileId);
  }

  // ---- guardian ----

  /** The guardian's notices, newest first, each with whether it has been read. */
  async forGuardian(phone: string, limit = 50): Promise<(Notice & { readAt: number | null })[]> {
    const r = await this.db.query<NoticeRow & { read_at: number | null }>(
      `SELECT n.*, r.read_at FROM hs_notice_recipients r JOIN hs_notices n ON n.id = r.notice_id WHERE r.phone = $1 ORDER BY n.published_at DESC, n.id LIMIT $2`,
      [phone, limit],
    );
    const files = await this.filesOf(this.db, r.rows.map((x) => x.id));
    return r.rows.map((x) => ({ ...this.toNotice(x, files), readAt: x.read_at === null ? null : Number(x.read_at) }));
  }

  /**
   * Opens a notice: the guardian's read receipt is recorded the first time. One statement
   * (receipt, notice and its files' list): 3,000 guardians open a notice within a minute.
   */
  async open(phone: string, id: string): Promise<Notice & { readAt: number }> {
    const r = await this.db.query<NoticeRow & { read_at: number | null; files: NoticeFile[] | string }>(
      `WITH marked AS (
         UPDATE hs_notice_recipients SET read_at = $3 WHERE notice_id = $1 AND phone = $2 AND read_at IS NULL RETURNING read_at
       )
       SELECT n.*, coalesce((SELECT read_at FROM marked), x.read_at) AS read_at,
              coalesce((SELECT json_agg(json_build_object('id', f.id, 'kind', f.kind, 'name', f.name, 'mime', f.mime, 'size', f.size) ORDER BY f.created_at, f.id)
                        FROM hs_notice_files f WHERE f.notice_id = n.id), '[]'::json) AS files
       FROM hs_notices n JOIN hs_notice_recipients x ON x.notice_id = n.id AND x.phone = $2 WHERE n.id = $1`,
      [id, phone, this.now()],
    );
    const row = r.rows[0];
    if (!row) throw new HttpError(404, 'home.msg.error.not_found');
    const files = typeof row.files === 'string' ? (JSON.parse(row.files) as NoticeFile[]) : row.files;
    return { ...this.toNotice(row, new Map([[id, files.map((f) => ({ ...f, size: Number(f.size) }))]])), readAt: Number(row.read_at) };
  }

  async guardianFile(phone: string, id: string, fileId: string) {
    const r = await this.db.query('SELECT 1 FROM hs_notice_recipients WHERE notice_id = $1 AND phone = $2', [id, phone]);
    if (!r.rows.length) throw new HttpError(404, 'home.msg.error.not_found');
    return this.file(this.db, id, fileId);
  }

  // ---- internals ----

  private async file(q: Queryable, id: string, fileId: string): Promise<{ kind: string; name: string; mime: string; sha256: string; content: Buffer }> {
    const r = await q.query<{ kind: string; name: string; mime: string; sha256: string; content: Buffer | Uint8Array }>('SELECT kind, name, mime, sha256, content FROM hs_notice_files WHERE notice_id = $1 AND id = $2', [id, fileId]);
    const f = r.rows[0];
    if (!f) throw new HttpError(404, 'home.msg.error.not_found');
    return { ...f, content: Buffer.from(f.content) };
  }

  /** Recipients are fixed at publishing: every guardian (one row per phone) of the children in the audience. */
  private async fixRecipients(q: Queryable, schoolId: string, id: string): Promise<number> {
    const n = (await q.query<NoticeRow>('SELECT * FROM hs_notices WHERE id = $1', [id])).rows[0]!;
    const r = await q.query(
      `INSERT INTO hs_notice_recipients (notice_id, phone, guardian_name, students, student_keys)
       SELECT $4, p.data->>'phone', min(coalesce(p.data->>'name', '')), string_agg(DISTINCT coalesce(st.data->>'name', st.key) || '（' || coalesce(st.data->>'classId', '') || '）', '、'),
              array_agg(DISTINCT st.key)
       FROM records st
       JOIN records g ON g.school_id = st.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'studentId' = st.key
       JOIN records p ON p.school_id = st.school_id AND p.kind = 'person' AND NOT p.deleted AND p.key = g.data->>'guardianId' AND p.data->>'phone' IS NOT NULL
       WHERE st.school_id = $1 AND st.kind = 'person' AND NOT st.deleted AND st.data->'roles' ? 'student'
         AND ($2 = 'school' OR ($2 = 'class' AND st.data->>'classId' = $3) OR ($2 = 'grade' AND starts_with(coalesce(st.data->>'classId', ''), $3)))
       GROUP BY p.data->>'phone'`,
      [schoolId, n.scope, n.target, id],
    );
    const count = r.rowCount ?? 0;
    if (count === 0) throw new HttpError(409, 'home.msg.error.no_recipients');
    await q.query('UPDATE hs_notices SET published_at = $2, recipients = $3 WHERE id = $1', [id, this.now(), count]);
    return count;
  }

  /** The notice, if the staff member may manage it (404 otherwise: another class's notice is indistinguishable from none). */
  private async managed(q: Queryable, p: Principal, schoolId: string, id: string, lock: boolean): Promise<NoticeRow> {
    const r = await q.query<NoticeRow>(`SELECT * FROM hs_notices WHERE school_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [schoolId, id]);
    const row = r.rows[0];
    if (!row) throw new HttpError(404, 'home.msg.error.not_found');
    if (isSchoolWide(p) || row.author_account === p.accountId) return row;
    if (row.scope === 'class' && (await taughtClasses(q, p, schoolId)).includes(row.target)) return row;
    throw new HttpError(404, 'home.msg.error.not_found');
  }

  private async get(q: Queryable, schoolId: string, id: string): Promise<Notice | null> {
    const r = await q.query<NoticeRow>('SELECT * FROM hs_notices WHERE school_id = $1 AND id = $2', [schoolId, id]);
    return r.rows[0] ? this.toNotice(r.rows[0], await this.filesOf(q, [id])) : null;
  }

  private async filesOf(q: Queryable, ids: string[]): Promise<Map<string, NoticeFile[]>> {
    const out = new Map<string, NoticeFile[]>();
    if (!ids.length) return out;
    const r = await q.query<{ id: string; notice_id: string; kind: 'image' | 'file'; name: string; mime: string; size: number }>(
      'SELECT id, notice_id, kind, name, mime, size FROM hs_notice_files WHERE notice_id = ANY($1::text[]) ORDER BY created_at, id',
      [ids],
    );
    for (const f of r.rows) {
      const list = out.get(f.notice_id) ?? [];
      list.push({ id: f.id, kind: f.kind, name: f.name, mime: f.mime, size: Number(f.size) });
      out.set(f.notice_id, list);
    }
    return out;
  }

  private toNotice(x: NoticeRow, files: Map<string, NoticeFile[]>): Notice {
    return {
      id: x.id,
      schoolId: x.school_id,
      scope: x.scope,
      target: x.target,
      title: x.title,
      body: x.body,
      authorName: x.author_name,
      createdAt: Number(x.created_at),
      publishedAt: x.published_at === null ? null : Number(x.published_at),
      files: files.get(x.id) ?? [],
    };
  }
}
