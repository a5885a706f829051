import { z } from 'zod';
import { BROKER_ROLES, ID_RE } from '@campus/protocol';
import { NoContent, type ApiRouter } from '../router.js';
import { ApiError } from '../errors.js';
import type { Store } from '../../store/index.js';
import { USER_ROLES } from '../../store/users.js';
import { hashPassword, randomSecret } from '../../security/password.js';
import type { CampusBroker } from '../../broker/broker.js';
import { publicUser } from './auth.js';
import { AuditAnswerSchema, DevicesAnswerSchema, MqttClientCreatedSchema, SystemInfoSchema, UserAnswerSchema, UsersAnswerSchema } from '@campus/protocol/admin/api';

const IdParam = z.strictObject({ id: z.string().regex(ID_RE, 'letters, digits, - _ .') });

const NewMqttClient = z.strictObject({
  clientId: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)'),
  role: z.enum(BROKER_ROLES),
  displayName: z.string().min(1).max(64),
  password: z.string().min(12, 'at least 12 characters').max(256).optional().describe('If omitted, a random password is generated and returned once'),
});

const NewUser = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9_.-]{2,32}$/, '2–32 letters, digits, _ . -'),
  displayName: z.string().min(1).max(64),
  password: z.string().min(10, 'at least 10 characters').max(256),
  roles: z.array(z.enum(USER_ROLES)).min(1),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
});

const PatchUser = z.strictObject({
  displayName: z.string().min(1).max(64).optional(),
  password: z.string().min(10).max(256).optional(),
  roles: z.array(z.enum(USER_ROLES)).min(1).optional(),
  locale: z.enum(['zh-CN', 'en']).optional(),
  disabled: z.boolean().optional(),
});

export function adminRoutes(api: ApiRouter, deps: { store: Store; broker: CampusBroker; site: { id: string; name: string }; version: string; clock: { trusted(): boolean; source(): string }; tlsFingerprint: string | null }): void {
  const { store, broker } = deps;

  api.add({
    method: 'get',
    path: '/api/system',
    summary: 'Site, version, clock trust and broker summary',
    tag: 'system',
    access: 'any',
    response: SystemInfoSchema,
    handler: () => ({
      site: deps.site.id,
      siteName: deps.site.name,
      version: deps.version,
      clock: { trusted: deps.clock.trusted(), source: deps.clock.source() },
      broker: { clients: broker.clientCount, tlsFingerprint256: deps.tlsFingerprint },
    }),
  });

  api.add({
    method: 'get',
    path: '/api/devices',
    summary: 'Clients known to the broker (devices, PC agents, operators) with online state',
    tag: 'devices',
    access: ['it'],
    response: DevicesAnswerSchema,
    handler: () => {
      const known = new Map(store.mqttClients.list().map((c) => [c.clientId, c]));
      const clients = [...known.values()].map((c) => ({
        clientId: c.clientId,
        role: c.role,
        displayName: c.displayName,
        enabled: c.enabled,
        online: broker.isOnline(c.clientId),
        lastSeen: c.lastSeen,
        address: c.lastAddress,
      }));
      return { clients };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/devices',
    summary: 'Create or replace MQTT credentials for a device, PC agent or operator',
    tag: 'devices',
    access: ['it'],
    body: NewMqttClient,
    audit: 'mqtt.client.upsert',
    status: 201,
    response: MqttClientCreatedSchema,
    handler: async ({ body }) => {
      const password = body.password ?? randomSecret(18);
      const rec = store.mqttClients.upsert({ clientId: body.clientId, role: body.role, displayName: body.displayName, passwordHash: await hashPassword(password) });
      return { client: rec, password: body.password ? undefined : password };
    },
  });

  api.add({
    method: 'delete',
    owner: 'edge',
    path: '/api/devices/:id',
    summary: 'Revoke an MQTT client’s credentials',
    tag: 'devices',
    access: ['it'],
    params: IdParam,
    audit: 'mqtt.client.revoke',
    response: NoContent,
    handler: ({ params }) => {
      if (!store.mqttClients.setEnabled(params.id, false)) throw new ApiError(404, 'not_found', { what: params.id });
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/api/users',
    summary: 'Panel users',
    tag: 'users',
    access: ['admin'],
    response: UsersAnswerSchema,
    handler: () => ({ users: store.users.list().map((u) => ({ id: u.id, ...publicUser(u), disabled: u.disabled })) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/users',
    summary: 'Create a panel user',
    tag: 'users',
    access: ['admin'],
    body: NewUser,
    audit: 'user.create',
    status: 201,
    response: UserAnswerSchema,
    handler: async ({ body }) => {
      if (store.users.credentials(body.username)) throw new ApiError(409, 'conflict', { what: body.username });
      const u = store.users.create({ username: body.username, displayName: body.displayName, roles: body.roles, locale: body.locale, passwordHash: await hashPassword(body.password) });
      return { user: { id: u.id, ...publicUser(u) } };
    },
  });

  api.add({
    method: 'patch',
    owner: 'edge',
    path: '/api/users/:id',
    summary: 'Change a panel user (roles, password, disable)',
    tag: 'users',
    access: ['admin'],
    params: z.strictObject({ id: z.coerce.number().int().positive() }),
    body: PatchUser,
    audit: 'user.update',
    response: UserAnswerSchema,
    handler: async ({ params, body }) => {
      const u = store.users.update(params.id, { ...body, passwordHash: body.password ? await hashPassword(body.password) : undefined });
      if (!u) throw new ApiError(404, 'not_found', { what: `user ${params.id}` });
      if (body.password || body.disabled || body.roles) store.sessions.deleteForUser(u.id);
      return { user: { id: u.id, ...publicUser(u), disabled: u.disabled } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/audit',
    summary: 'Audit log of every write, newest first',
    tag: 'audit',
    access: ['admin'],
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.coerce.number().int().positive().optional() }),
    response: AuditAnswerSchema,
    handler: ({ query }) => ({ entries: store.audit.list(query.limit, query.before) }),
  });
}
