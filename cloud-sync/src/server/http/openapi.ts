import { z } from 'zod';
import { IngestBatchSchema, IngestResultSchema } from '@campus/protocol/sync/ingest';
import { ChangePageSchema } from '@campus/protocol/sync/changes';
import { SYNC_HEADERS } from '@campus/protocol/sync/signing';
import { CampusInputSchema, EdgeInputSchema, SchoolInputSchema } from '../tenancy/tenancy.js';
import { DistrictInputSchema, DistrictSchoolsSchema } from '../tenancy/districts.js';
import { FirstAdminSchema } from '../tenancy/admin-routes.js';
import { GuardianPrefsSchema } from '../notify/preferences.js';
import { OtpRequestSchema, SessionRequestSchema } from '../parent/guardian-auth.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: schema(s) } } });
const ok = (description: string, s?: z.ZodType) => ({ description, ...(s ? json(s) : {}) });
const errors = { '400': { description: 'Malformed body or query (message in zh-CN and en)' }, '401': { description: 'Not authenticated' }, '404': { description: 'Not found, or not yours' } };

/** The OpenAPI 3.1 document served at /api/openapi.json, built from the same zod schemas the routes use. */
export function openApiDocument(staffPaths: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  const signed = Object.values(SYNC_HEADERS).map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } }));
  return {
    openapi: '3.1.0',
    info: { title: '智慧校园 Cloud API', version: '1', description: 'Edge sync (signed), admin (bearer admin token: provisioning only), parent app (bearer session) and staff console (session cookie + CSRF token) APIs.' },
    components: {
      securitySchemes: {
        admin: { type: 'http', scheme: 'bearer', description: 'Admin token from the cloud configuration' },
        parent: { type: 'http', scheme: 'bearer', description: 'Session token from POST /api/parent/session' },
        staffSession: { type: 'apiKey', in: 'cookie', name: 'campus_staff_sid', description: 'HttpOnly cookie from POST /api/staff/session; writes also need the x-csrf-token header it returns' },
      },
    },
    paths: {
      '/api/edge/v1/events': {
        post: {
          summary: 'Edge → cloud: a batch of outbox events (idempotent by event id)',
          description: 'Signed with Ed25519 over method, path, timestamp, nonce, body SHA-256, edge and key id (see protocol/src/sync/signing.ts).',
          parameters: signed,
          requestBody: json(IngestBatchSchema),
          responses: { '200': ok('Stored', IngestResultSchema), ...errors, '403': { description: 'Event of another school, or edge disabled' }, '413': { description: 'Body too large' }, '429': { description: 'Busy: retry after Retry-After' } },
        },
      },
      '/api/edge/v1/changes': {
        get: {
          summary: 'Cloud → edge: change feed after a cursor (long-poll with wait)',
          parameters: [...signed, ...['after', 'limit', 'wait'].map((name) => ({ name, in: 'query', schema: { type: 'integer' } }))],
          responses: { '200': ok('A page of changes', ChangePageSchema), ...errors },
        },
      },
      '/api/admin/schools': {
        get: { security: [{ admin: [] }], summary: 'List schools', responses: { '200': ok('Schools') } },
        post: { security: [{ admin: [] }], summary: 'Create a school', requestBody: json(SchoolInputSchema), responses: { '201': ok('Created'), ...errors } },
      },
      '/api/admin/schools/{schoolId}/campuses': { post: { security: [{ admin: [] }], summary: 'Create a campus (its site code appears in event envelopes)', requestBody: json(CampusInputSchema), responses: { '201': ok('Created'), ...errors } } },
      '/api/admin/schools/{schoolId}/edges': {
        get: { security: [{ admin: [] }], summary: 'List edges and keys', responses: { '200': ok('Edges') } },
        post: { security: [{ admin: [] }], summary: 'Register an edge; returns its credentials once', requestBody: json(EdgeInputSchema), responses: { '201': ok('Edge id and credentials (edgeId, keyId, privateKey)'), ...errors } },
      },
      '/api/admin/edges/{edgeId}/keys': { post: { security: [{ admin: [] }], summary: 'Rotate: issue a new key (optionally revoking the others)', responses: { '201': ok('New credentials') } } },
      '/api/admin/edges/{edgeId}/keys/{keyId}': { delete: { security: [{ admin: [] }], summary: 'Revoke a key', responses: { '204': ok('Revoked') } } },
      '/api/admin/schools/{schoolId}/accounts': { post: { security: [{ admin: [] }], summary: "The school's first school_admin account (409 once an enabled one exists)", requestBody: json(FirstAdminSchema), responses: { '201': ok('Account'), ...errors, '409': { description: 'An enabled admin exists' } } } },
      '/api/admin/districts': {
        get: { security: [{ admin: [] }], summary: 'List districts (教育局) and their schools', responses: { '200': ok('Districts') } },
        post: { security: [{ admin: [] }], summary: 'Create a district over a set of schools', requestBody: json(DistrictInputSchema), responses: { '201': ok('Created'), ...errors } },
      },
      '/api/admin/districts/{districtId}/schools': { put: { security: [{ admin: [] }], summary: "Replace a district's schools", requestBody: json(DistrictSchoolsSchema), responses: { '200': ok('District'), ...errors } } },
      '/api/admin/districts/{districtId}/accounts': { post: { security: [{ admin: [] }], summary: "The district's first district_admin account (409 once an enabled one exists)", requestBody: json(FirstAdminSchema), responses: { '201': ok('Account'), ...errors, '409': { description: 'An enabled admin exists' } } } },
      '/api/parent/otp': { post: { summary: 'Send a sign-in code by SMS', requestBody: json(OtpRequestSchema), responses: { '202': ok('Sent if the number belongs to a guardian'), '429': { description: 'Too soon' } } } },
      '/api/parent/session': {
        post: { summary: 'Sign in with phone and code', requestBody: json(SessionRequestSchema), responses: { '201': ok('Session token'), ...errors } },
        delete: { security: [{ parent: [] }], summary: 'Sign out', responses: { '204': ok('Signed out') } },
      },
      '/api/parent/me': { get: { security: [{ parent: [] }], summary: 'The guardian and their children', responses: { '200': ok('Children'), ...errors } } },
      '/api/parent/children/{schoolId}/{studentKey}/timeline': { get: { security: [{ parent: [] }], summary: "One of the guardian's children: gate passes and attendance", responses: { '200': ok('Entries'), ...errors } } },
      '/api/parent/children/{schoolId}/{studentKey}/pickup-code': { get: { security: [{ parent: [] }], summary: "The one-time pickup code (接送码) of the guardian's pickup person records for the child, while it has a bus assignment; 404 for another family's child", responses: { '200': ok('Codes with their validity'), ...errors } } },
      '/api/parent/notices': { get: { security: [{ parent: [] }], summary: 'Notice history', responses: { '200': ok('Notices'), ...errors } } },
      '/api/parent/preferences': {
        get: { security: [{ parent: [] }], summary: 'Notice preferences', responses: { '200': ok('Preferences', GuardianPrefsSchema) } },
        put: { security: [{ parent: [] }], summary: 'Save notice preferences', requestBody: json(GuardianPrefsSchema), responses: { '200': ok('Saved'), ...errors } },
      },
      '/api/parent/push/vapid-key': { get: { summary: 'VAPID public key for PushManager.subscribe', responses: { '200': ok('Key') } } },
      '/api/parent/push/subscriptions': {
        post: { security: [{ parent: [] }], summary: 'Store a push subscription', responses: { '201': ok('Stored'), ...errors } },
        delete: { security: [{ parent: [] }], summary: 'Remove a push subscription', responses: { '204': ok('Removed'), ...errors } },
      },
      ...staffPaths,
    },
  };
}
