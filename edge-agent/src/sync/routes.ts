import type { ApiRouter } from '../http/router.js';
import type { SyncModule } from './module.js';
import { SyncStatusAnswerSchema } from '@campus/protocol/sync/status';

export function syncRoutes(api: ApiRouter, sync: SyncModule): void {
  api.add({
    method: 'get',
    path: '/api/sync/status',
    summary: 'Cloud sync: backlog, age of the oldest unsent event, rate, progress while catching up',
    tag: 'sync',
    access: ['it'],
    response: SyncStatusAnswerSchema,
    handler: async () => {
      if (!sync.enabled) return { enabled: false as const, backlog: sync.outbox.backlog(), records: sync.records.count() };
      return { enabled: true as const, status: await sync.status(), records: sync.records.count() };
    },
  });
}
