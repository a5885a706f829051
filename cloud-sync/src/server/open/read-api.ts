import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { bilingual } from '@campus/protocol';
import { RECORD_KINDS, RECORD_SCHEMAS, RecordKeySchema, type RecordKind } from '@campus/protocol/sync/records';
import type { Database } from '../db/database.js';
import { RecordBatchSchema, type RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import type { StaffAudit } from '../staff/audit.js';
import { requireScope, type ApiKeys, type KeyPrincipal, type OpenScope, OPEN_SCOPES } from './api-keys.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { ALL_EVENT_TYPES, EVENT_DATA_SCHEMAS, EVENT_KINDS } from './event-kinds.js';
import { EVENT_COLUMNS, OpenEventSchema, openEvent, type EventRow } from './event-rows.js';
import { buildExport, ExportSpecSchema, type ExportFile } from './export.js';
import { redactRecord, SENSITIVE_RECORD_FIELDS } from './sensitive.js';
import { EventTypeFilterSchema } from './webhooks.js';

export const OPEN_API_VERSION = '1.0.0';
const SchoolParams = z.object({ schoolId: z.string().max(64) });
const KindParams = SchoolParams.extend({ kind: z.string().max(32) });
const limit = z.coerce.number().int().min(1).max(1000).default(200);
const RecordsQuery = z.strictObject({ cursor: z.string().max(200).optional(), limit, includeDeleted: z.enum(['true', 'false']).default('false') });
const EventsQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit,
  type: EventTypeFilterSchema.optional(),
  from: z.coerce.number().int().nonnegative().optional().describe('occurredAt ≥ from (ms)'),
  to: z.coerce.number().int().positive().optional().describe('occurredAt < to (ms)'),
});
const ExportRecordsQuery = z.strictObject({ format: z.enum(['csv', 'xlsx']).default('xlsx') });
const ExportEventsQuery = z.strictObject({ format: z.enum(['csv', 'xlsx']).default('csv'), type: EventTypeFilterSchema.optional(), from: z.coerce.number().int().nonnegative(), to: z.coerce.number().int().positive() });

const recordItem = (kind: RecordKind) =>
  z.object({
    kind: z.literal(kind),
    key: RecordKeySchema,
    // The record's fields (its shape: a refined schema, e.g. a route's unique stops, cannot be made partial itself).
    data: z.object((RECORD_SCHEMAS[kind] as z.ZodObject).shape).partial().nullable().describe(`Sensitive fields (${SENSITIVE_RECORD_FIELDS[kind].join(', ') || 'none'}) only with the \`sensitive\` scope; null when deleted`),
    deleted: z.boolean(),
    version: z.number().int().describe('Feed seq of the last change: grows with every write'),
    changedAt: z.number().int(),
    redacted: z.array(z.string()),
  });
const page = (item: z.ZodType) =>
  z.object({
    items: z.array(item),
    next: z.string().nullable().describe('Cursor of the next page; null on the last page'),
    cursor: z.string().describe('Where this page ends: keep it and ask again later to get only what is new since'),
  });
const EventPageSchema = page(OpenEventSchema);

export interface OpenApiDeps {
  db: Database;
  /** Where `records:write` keys write (the change feed the edges follow). */
  records: RecordStore;
  keys: ApiKeys;
  audit: StaffAudit;
  /** Events newer than this (by arrival) are held back from the event feed so a slowly committing batch is never skipped. */
  settleMs: number;
  now: () => number;
}

type Handler = (ctx: { req: Request; res: Response; key: KeyPrincipal; schoolId: string }) => Promise<unknown>;
interface OpenRoute {
  /** GET unless said otherwise. */
  method?: 'post';
  path: string;
  scope: OpenScope | null;
  summary: string;
  handler: Handler;
}

const isRecordCursor = (v: Record<string, unknown>): v is { s: number } => typeof v.s === 'number' && Number.isInteger(v.s) && v.s >= 0;
const isEventCursor = (v: Record<string, unknown>): v is { r: number; i: string } => typeof v.r === 'number' && typeof v.i === 'string' && /^[0-9a-f-]{36}$/.test(v.i);
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** A batch of up to 5,000 records (the feed's own limit) fits well inside this. */
const WRITE_JSON_LIMIT = '8mb';
const WriteResultSchema = z.object({
  cursor: z.number().int().describe('The school\'s feed cursor after the write: an edge that has applied this cursor has the write'),
  written: z.number().int(),
});

/**
 * The versioned open-data API under /api/open/v1: per-school API keys (Bearer), every
 * record kind and every stored event, cursor-paginated; sensitive fields only for keys
 * with `sensitive` (each such read audited); exports audited. The same declarations give
 * the OpenAPI document at /api/open/v1/openapi.json.
 */
export function openApiRouter(deps: OpenApiDeps): { router: Router; document: Record<string, unknown> } {
  const { db, keys, audit, records } = deps;
  const auditAs = (key: KeyPrincipal, req: Request, action: string, target: string | null, detail: Record<string, unknown>) =>
    audit.append(db, { schoolId: key.schoolId, districtId: null, actorId: null, actorName: `api-key ${key.name} (${key.keyId})`, action, target, detail, address: req.ip ?? null });
  const kindOf = (k: string): RecordKind => {
    if (!(RECORD_KINDS as readonly string[]).includes(k)) throw new HttpError(404, 'open.error.kind', { kind: k, kinds: RECORD_KINDS.join(', ') });
    return k as RecordKind;
  };
  const sendFile = async (req: Request, res: Response, key: KeyPrincipal, f: ExportFile, what: Record<string, unknown>) => {
    // Audited before a byte leaves.
    await auditAs(key, req, 'open.export', f.filename, { ...what, rows: f.rows, sensitive: key.scopes.includes('sensitive'), redacted: f.redacted });
    res.setHeader('content-type', f.contentType);
    res.setHeader('content-disposition', `attachment; filename="${f.filename}"`);
    res.end(f.body);
  };

  const routes: OpenRoute[] = [
    {
      method: 'post',
      path: '/schools/:schoolId/records',
      scope: 'records:write',
      summary:
        'Write records the school owns in the cloud (people, guardianships, cards, leaves, calendar, timetables, USB policies, the bus model, health declarations collected by another system…): up to 5,000 creations, changes (`data`: the whole record) and deletions (`delete: true`) in one batch, all or nothing; edges receive them through the change feed. Audited.',
      handler: async ({ req, key, schoolId }) => {
        const { records: writes } = RecordBatchSchema.parse(req.body);
        const kinds: Record<string, number> = {};
        for (const w of writes) kinds[w.kind] = (kinds[w.kind] ?? 0) + 1;
        const deletes = writes.filter((w) => 'delete' in w).length;
        const cursor = await db.transaction(async (tx) => {
          const c = await records.writeIn(tx, schoolId, writes);
          // Which records, not what they hold: the audit log is no second copy of phone numbers.
          await audit.append(tx, {
            schoolId: key.schoolId,
            districtId: null,
            actorId: null,
            actorName: `api-key ${key.name} (${key.keyId})`,
            action: 'open.records.write',
            target: writes.length === 1 ? `${writes[0]!.kind}/${writes[0]!.key}` : null,
            detail: { records: writes.length, deletes, kinds, keys: writes.slice(0, 50).map((w) => `${w.kind}/${w.key}`) },
            address: req.ip ?? null,
          });
          return c;
        });
        records.changed(schoolId);
        return { cursor, written: writes.length };
      },
    },
    {
      path: '/schools/:schoolId/records/:kind',
      scope: 'records:read',
      summary: 'Records of one kind, in the order they last changed (cursor pagination; re-reading from a saved cursor yields everything changed since)',
      handler: async ({ req, key, schoolId }) => {
        const kind = kindOf(KindParams.parse(req.params).kind);
        const q = RecordsQuery.parse(req.query);
        const after = decodeCursor(q.cursor, isRecordCursor)?.s ?? 0;
        const r = await db.query<{ key: string; data: Record<string, unknown> | null; deleted: boolean; seq: number; changed_at: number }>(
          'SELECT key, data, deleted, seq, changed_at FROM records WHERE school_id = $1 AND kind = $2 AND seq > $3 AND ($4 OR NOT deleted) ORDER BY seq LIMIT $5',
          [schoolId, kind, after, q.includeDeleted === 'true', q.limit + 1],
        );
        const more = r.rows.length > q.limit;
        const rows = r.rows.slice(0, q.limit);
        const sensitive = key.scopes.includes('sensitive');
        const items = rows.map((x) => {
          const d = x.data ? redactRecord(kind, x.data, sensitive) : { value: null, removed: [] };
          return { kind, key: x.key, data: d.value, deleted: x.deleted, version: x.seq, changedAt: x.changed_at, redacted: d.removed };
        });
        if (sensitive && SENSITIVE_RECORD_FIELDS[kind].length && items.length) await auditAs(key, req, 'open.read.sensitive', kind, { kind, items: items.length });
        const last = rows.at(-1);
        return { items, next: more && last ? encodeCursor({ s: last.seq }) : null, cursor: encodeCursor({ s: last?.seq ?? after }) };
      },
    },
    {
      path: '/schools/:schoolId/records/:kind/:key',
      scope: 'records:read',
      summary: 'One record',
      handler: async ({ req, key, schoolId }) => {
        const p = KindParams.extend({ key: RecordKeySchema }).parse(req.params);
        const kind = kindOf(p.kind);
        const r = await db.query<{ data: Record<string, unknown>; seq: number; changed_at: number }>('SELECT data, seq, changed_at FROM records WHERE school_id = $1 AND kind = $2 AND key = $3 AND NOT deleted', [schoolId, kind, p.key]);
        const x = r.rows[0];
        if (!x) throw new HttpError(404, 'sync.error.not_found');
        const sensitive = key.scopes.includes('sensitive');
        const d = redactRecord(kind, x.data, sensitive);
        if (sensitive && SENSITIVE_RECORD_FIELDS[kind].length) await auditAs(key, req, 'open.read.sensitive', `${kind}/${p.key}`, { kind, items: 1 });
        return { kind, key: p.key, data: d.value, deleted: false, version: x.seq, changedAt: x.changed_at, redacted: d.removed };
      },
    },
    {
      path: '/schools/:schoolId/events',
      scope: 'events:read',
      summary: 'Events in the order the cloud received them (cursor pagination; events from an edge that was offline arrive late and still come after your cursor)',
      handler: async ({ req, key, schoolId }) => {
        const q = EventsQuery.parse(req.query);
        const c = decodeCursor(q.cursor, isEventCursor) ?? { r: -1, i: ZERO_UUID };
        const prefix = q.type?.endsWith('*') ? q.type.slice(0, -1) : null;
        const r = await db.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events
           WHERE school_id = $1 AND (school_id, received_at, id) > ($1, $2, $3::uuid) AND received_at <= $4
             AND ($5::text IS NULL OR type = $5) AND ($6::text IS NULL OR starts_with(type, $6))
             AND ($7::bigint IS NULL OR occurred_at >= $7) AND ($8::bigint IS NULL OR occurred_at < $8)
           ORDER BY received_at, id LIMIT $9`,
          [schoolId, c.r, c.i, deps.now() - deps.settleMs, q.type && !prefix ? q.type : null, prefix === '' ? null : prefix, q.from ?? null, q.to ?? null, q.limit + 1],
        );
        const more = r.rows.length > q.limit;
        const rows = r.rows.slice(0, q.limit);
        const sensitive = key.scopes.includes('sensitive');
        const items = rows.map((x) => openEvent(x, sensitive));
        if (sensitive && items.length) await auditAs(key, req, 'open.read.sensitive', 'events', { items: items.length, type: q.type ?? null });
        const last = rows.at(-1);
        const cursor = last ? encodeCursor({ r: last.received_at, i: last.id }) : (q.cursor ?? encodeCursor(c));
        return { items, next: more ? cursor : null, cursor };
      },
    },
    {
      path: '/schools/:schoolId/event-types',
      scope: 'events:read',
      summary: 'The event kinds edges record, by domain',
      handler: async () => ({ domains: EVENT_KINDS, types: ALL_EVENT_TYPES }),
    },
    {
      path: '/schools/:schoolId/export/records',
      scope: 'export',
      summary: 'Every record kind of the school as one XLSX workbook (one sheet per kind); audited',
      handler: async ({ req, res, key, schoolId }) => {
        const q = ExportRecordsQuery.parse(req.query);
        if (q.format === 'csv') throw new HttpError(400, 'sync.error.invalid', { detail: 'CSV holds one kind: use /export/records/{kind}?format=csv' });
        const f = await buildExport(db, schoolId, { what: 'records', format: 'xlsx' }, key.scopes.includes('sensitive'));
        await sendFile(req, res, key, f, { what: 'records', format: 'xlsx' });
        return undefined;
      },
    },
    {
      path: '/schools/:schoolId/export/records/:kind',
      scope: 'export',
      summary: 'One record kind as CSV (UTF-8 with BOM) or XLSX; audited',
      handler: async ({ req, res, key, schoolId }) => {
        const kind = kindOf(KindParams.parse(req.params).kind);
        const q = ExportRecordsQuery.parse(req.query);
        const f = await buildExport(db, schoolId, ExportSpecSchema.parse({ what: 'records', kind, format: q.format }), key.scopes.includes('sensitive'));
        await sendFile(req, res, key, f, { what: 'records', kind, format: q.format });
        return undefined;
      },
    },
    {
      path: '/schools/:schoolId/export/events',
      scope: 'export',
      summary: 'Events that occurred in [from, to) (at most 366 days) as CSV or XLSX; audited',
      handler: async ({ req, res, key, schoolId }) => {
        const q = ExportEventsQuery.parse(req.query);
        const f = await buildExport(db, schoolId, { what: 'events', ...q, ...(q.type ? { type: q.type } : {}) }, key.scopes.includes('sensitive'));
        await sendFile(req, res, key, f, { what: 'events', format: q.format, from: q.from, to: q.to, type: q.type ?? null });
        return undefined;
      },
    },
  ];

  const router = express.Router();
  const document = openApiDoc(routes);
  router.get('/openapi.json', (_req, res) => void res.json(document));
  const json = express.json({ limit: WRITE_JSON_LIMIT });
  for (const route of routes) {
    const handlers = route.method === 'post' ? [json] : [];
    router[route.method ?? 'get'](route.path, ...handlers, (req: Request, res: Response, next: (err?: unknown) => void) => {
      (async () => {
        res.setHeader('Cache-Control', 'no-store');
        const key = await keys.authenticate(req.get('authorization'));
        const { schoolId } = SchoolParams.parse(req.params);
        if (route.scope) requireScope(key, route.scope, schoolId, (id) => bilingual(id));
        const out = await route.handler({ req, res, key, schoolId });
        if (!res.headersSent) res.json(out);
      })().catch(next);
    });
  }
  router.use((_req, _res, next) => next(new HttpError(404, 'sync.error.not_found')));
  return { router, document };
}

function openApiDoc(routes: OpenRoute[]): Record<string, unknown> {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' });
  const query = (s: z.ZodObject) => {
    const js = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] };
    return Object.entries(js.properties ?? {}).map(([name, sch]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: sch }));
  };
  const err = (d: string) => ({ description: d, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const errors = {
    '400': err('Malformed query or cursor (message in zh-CN and en)'),
    '401': err('No API key, or it is invalid, revoked or expired'),
    '403': err('The key lacks the scope this route needs, or belongs to another school'),
    '404': err('Unknown kind or record'),
  };
  const schoolParam = { name: 'schoolId', in: 'path', required: true, schema: { type: 'string' } };
  const op = (r: OpenRoute, extra: Record<string, unknown>) => ({
    summary: r.summary,
    security: [{ apiKey: [] }],
    'x-scope': r.scope,
    ...extra,
    responses: { ...(extra.responses as object), ...errors },
  });
  const paths: Record<string, unknown> = {};
  const byPath = (path: string) => routes.find((r) => r.path === path && !r.method)!;
  const file = { description: 'The file (Content-Disposition: attachment)', content: { 'text/csv': {}, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {} } };
  for (const r of routes) {
    if (r.method === 'post') {
      paths[`/api/open/v1${r.path.replace(/:(\w+)/g, '{$1}')}`] = {
        post: op(r, {
          tags: ['records'],
          operationId: 'write_records',
          parameters: [schoolParam],
          requestBody: { required: true, content: { 'application/json': { schema: schema(RecordBatchSchema) } } },
          responses: { '200': { description: 'Written (all of the batch)', content: { 'application/json': { schema: schema(WriteResultSchema) } } }, '413': err('The batch is larger than 8 MB') },
        }),
      };
      continue;
    }
    if (r.path === '/schools/:schoolId/records/:kind') {
      // One path per kind, each with its record schema.
      for (const kind of RECORD_KINDS) {
        paths[`/api/open/v1/schools/{schoolId}/records/${kind}`] = {
          get: op(r, { tags: ['records'], operationId: `list_${kind}`, parameters: [schoolParam, ...query(RecordsQuery)], responses: { '200': { description: `A page of ${kind} records`, content: { 'application/json': { schema: schema(page(recordItem(kind))) } } } } }),
        };
        paths[`/api/open/v1/schools/{schoolId}/records/${kind}/{key}`] = {
          get: op(byPath('/schools/:schoolId/records/:kind/:key'), { tags: ['records'], operationId: `get_${kind}`, parameters: [schoolParam, { name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: `One ${kind} record`, content: { 'application/json': { schema: schema(recordItem(kind)) } } } } }),
        };
        paths[`/api/open/v1/schools/{schoolId}/export/records/${kind}`] = {
          get: op(byPath('/schools/:schoolId/export/records/:kind'), { tags: ['export'], operationId: `export_${kind}`, parameters: [schoolParam, ...query(ExportRecordsQuery)], responses: { '200': file } }),
        };
      }
      continue;
    }
    if (r.path.startsWith('/schools/:schoolId/records/') || r.path === '/schools/:schoolId/export/records/:kind') continue;
    const tag = r.path.includes('/export') ? 'export' : 'events';
    const p = r.path === '/schools/:schoolId/events' ? query(EventsQuery) : r.path === '/schools/:schoolId/export/events' ? query(ExportEventsQuery) : r.path === '/schools/:schoolId/export/records' ? query(ExportRecordsQuery) : [];
    const ok = r.path === '/schools/:schoolId/events' ? { description: 'A page of events', content: { 'application/json': { schema: schema(EventPageSchema) } } } : r.path.includes('/export') ? file : { description: 'Event kinds' };
    paths[`/api/open/v1${r.path.replace(/:(\w+)/g, '{$1}')}`] = { get: op(r, { tags: [tag], operationId: r.path.split('/').slice(3).join('_').replace(/[^a-z_]/gi, '') || 'root', parameters: [schoolParam, ...p], responses: { '200': ok } }) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '智慧校园 Open Data API',
      version: OPEN_API_VERSION,
      description:
        'Access to one school\'s data for its own systems (against data islands): read every record and event, export in bulk, and (with `records:write`) keep the records the cloud owns in step with the school\'s other systems. Authenticate with `Authorization: Bearer <key>` (a key made by the school admin in the console, shown once). Scopes: ' +
        OPEN_SCOPES.map((s) => `\`${s}\``).join(', ') +
        '. PIPL-sensitive fields are withheld unless the key has `sensitive`; every export and every sensitive read is audited. See docs/open-api.md.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: '`<key id>.<secret>` as shown once when the key was created' } },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, status: { type: 'integer' }, message: { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } } } } },
        },
        Event: schema(OpenEventSchema),
        ...Object.fromEntries(Object.entries(EVENT_DATA_SCHEMAS).map(([t, s]) => [`EventData_${t.replace(/\./g, '_')}`, schema(s)])),
      },
    },
    'x-event-types': EVENT_KINDS,
    paths,
  };
}
