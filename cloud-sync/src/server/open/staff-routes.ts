import { z } from 'zod';
import type { StaffRouter } from '../staff/access.js';
import type { StaffRole } from '../staff/roles.js';
import { ApiKeyInputSchema, type ApiKeys } from './api-keys.js';
import { buildExport, ExportSpecSchema } from './export.js';
import { WebhookInputSchema, WebhookPatchSchema, type Webhooks } from './webhooks.js';

/** Who manages a school's open data (keys, webhooks, exports): its admin. */
const OPEN_ADMINS: readonly StaffRole[] = ['school_admin'];
const SchoolParams = z.object({ schoolId: z.string().max(64) });
const KeyParams = SchoolParams.extend({ keyId: z.string().max(64) });
const HookParams = SchoolParams.extend({ webhookId: z.string().max(64) });
const LogQuery = z.object({ before: z.coerce.number().int().positive().default(Number.MAX_SAFE_INTEGER), limit: z.coerce.number().int().min(1).max(500).default(100) });
const StaffExportSchema = z.intersection(ExportSpecSchema, z.object({ sensitive: z.boolean().default(false) }));

/** The console's side of open data: API keys, webhook subscriptions and their delivery logs, exports. */
export function openStaffRoutes(api: StaffRouter, deps: { keys: ApiKeys; webhooks: Webhooks }): void {
  const { keys, webhooks } = deps;
  api.add({
    method: 'get',
    path: '/schools/:schoolId/api-keys',
    summary: "The school's open-data API keys (never their secrets)",
    scope: 'school',
    roles: OPEN_ADMINS,
    params: SchoolParams,
    handler: async ({ params, q }) => ({ keys: await keys.list(q, params.schoolId) }),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/api-keys',
    summary: 'Create an API key with scopes; the answer carries the key (id.secret) — the only time it is shown',
    scope: 'school',
    roles: OPEN_ADMINS,
    audit: 'open.key.create',
    params: SchoolParams,
    body: ApiKeyInputSchema,
    status: 201,
    handler: async ({ principal, params, body, q, audited }) => {
      const k = await keys.create(q, params.schoolId, body, { id: principal.accountId, name: principal.username });
      audited(k.id, { name: k.name, scopes: k.scopes, expiresAt: k.expiresAt });
      return k;
    },
  });
  api.add({
    method: 'delete',
    path: '/schools/:schoolId/api-keys/:keyId',
    summary: 'Revoke an API key (at once, on every cloud process)',
    scope: 'school',
    roles: OPEN_ADMINS,
    audit: 'open.key.revoke',
    params: KeyParams,
    handler: async ({ params, q, audited }) => {
      const k = await keys.revoke(q, params.schoolId, params.keyId);
      audited(k.id, { name: k.name, scopes: k.scopes });
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/schools/:schoolId/webhooks',
    summary: 'Webhook subscriptions with their status (active, paused, disabled after a day of failures), failures and waiting deliveries',
    scope: 'school',
    roles: OPEN_ADMINS,
    params: SchoolParams,
    handler: async ({ params, q }) => ({ webhooks: await webhooks.list(q, params.schoolId) }),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/webhooks',
    summary: 'Subscribe a URL to event types; the answer carries the signing secret — the only time it is shown',
    scope: 'school',
    roles: OPEN_ADMINS,
    audit: 'open.webhook.create',
    params: SchoolParams,
    body: WebhookInputSchema,
    status: 201,
    handler: async ({ params, body, q, audited }) => {
      const w = await webhooks.create(q, params.schoolId, body);
      audited(w.id, { url: w.url, eventTypes: w.eventTypes, sensitive: w.sensitive });
      return w;
    },
  });
  api.add({
    method: 'patch',
    path: '/schools/:schoolId/webhooks/:webhookId',
    summary: 'Change a subscription, pause it, or enable it again (its waiting deliveries then go out); `version` must be the current one',
    scope: 'school',
    roles: OPEN_ADMINS,
    audit: 'open.webhook.update',
    params: HookParams,
    body: WebhookPatchSchema,
    handler: async ({ params, body, q, audited, afterCommit }) => {
      const r = await webhooks.update(q, params.schoolId, params.webhookId, body);
      const { version: _v, ...changes } = body;
      audited(params.webhookId, { changes, before: { status: r.before.status, url: r.before.url, eventTypes: r.before.eventTypes } });
      if (r.requeue) afterCommit(() => webhooks.committed());
      return r.after;
    },
  });
  api.add({
    method: 'delete',
    path: '/schools/:schoolId/webhooks/:webhookId',
    summary: 'Remove a subscription and its delivery log',
    scope: 'school',
    roles: OPEN_ADMINS,
    audit: 'open.webhook.delete',
    params: HookParams,
    handler: async ({ params, q, audited }) => {
      const w = await webhooks.remove(q, params.schoolId, params.webhookId);
      audited(w.id, { url: w.url });
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/webhooks/:webhookId/deliveries',
    summary: 'Delivery log of a subscription, newest first: status, attempts, last answer or error',
    scope: 'school',
    roles: OPEN_ADMINS,
    params: HookParams,
    query: LogQuery,
    handler: ({ params, query, q }) => webhooks.deliveries(q, params.schoolId, params.webhookId, query.before, query.limit),
  });

  api.add({
    method: 'post',
    path: '/schools/:schoolId/exports',
    summary: 'Bulk export (CSV/XLSX) of the school\'s records or events; sensitive fields only when asked; audited before the file is sent',
    scope: 'school',
    roles: OPEN_ADMINS,
    audit: 'open.export',
    params: SchoolParams,
    body: StaffExportSchema,
    handler: async ({ res, params, body, q, audited, afterCommit }) => {
      const { sensitive, ...spec } = body;
      const f = await buildExport(q, params.schoolId, spec as z.infer<typeof ExportSpecSchema>, sensitive);
      audited(f.filename, { ...spec, sensitive, rows: f.rows, redacted: f.redacted });
      // Sent once the audit row has committed.
      afterCommit(() => {
        res.status(200);
        res.setHeader('content-type', f.contentType);
        res.setHeader('content-disposition', `attachment; filename="${f.filename}"`);
        res.end(f.body);
      });
      return undefined;
    },
  });
}
