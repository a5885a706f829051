import type { ApiRouter } from '../http/router.js';
import type { SyncModule } from './module.js';

export function syncRoutes(api: ApiRouter, sync: SyncModule): void {
  api.add({
    method: 'get',
    path: '/api/sync/status',
    summary: 'Cloud sync: backlog, age of the oldest unsent event, rate, progress while catching up',
    tag: 'sync',
    access: ['it'],
    handler: async () => {
      if (!sync.enabled) return { enabled: false, backlog: sync.outbox.backlog(), records: sync.records.count() };
      return { enabled: true, status: await sync.status(), records: sync.records.count() };
    },
  });
}
