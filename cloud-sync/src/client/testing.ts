/**
 * Shared contract suites for the interfaces the edge store implements. Run them from a
 * vitest file against any implementation:
 *
 *   import { outboxContract, changeApplierContract } from '@campus/cloud-sync/client/testing';
 *   outboxContract('sqlite store', async () => { ... return { outbox, append, reopen, close }; });
 *
 * Import this module only from tests (it imports vitest).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7, type EventEnvelope } from '@campus/protocol';
import type { ChangeRecord } from '@campus/protocol/sync/changes';
import type { ChangeApplier } from './change-applier.js';
import { LANES, type Awaitable, type Lane, type SyncOutbox } from './outbox.js';

export interface OutboxHarness {
  outbox: SyncOutbox;
  /** Appends events through the store's normal write path, in this order. */
  append(events: EventEnvelope[]): Awaitable<void>;
  /** Closes and reopens from durable storage; omit for stores that are not durable. */
  reopen?(): Awaitable<SyncOutbox>;
  close(): Awaitable<void>;
}

export interface ChangeApplierHarness {
  applier: ChangeApplier;
  /** The stored record, or null when absent/deleted. */
  read(kind: string, key: string): Awaitable<Record<string, unknown> | null>;
  reopen?(): Awaitable<{ applier: ChangeApplier; read: ChangeApplierHarness['read'] }>;
  close(): Awaitable<void>;
}

export function contractEvent(priority: Lane, over: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: uuidv7(),
    site: 'contract-site',
    type: priority <= 1 ? 'access.decision' : 'energy.rollup',
    occurredAt: Date.now(),
    clockTrusted: true,
    reason: priority <= 1 ? 'access.granted' : 'energy.rollup',
    severity: priority === 0 ? 'critical' : 'info',
    priority,
    source: 'contract',
    subject: priority <= 1 ? 'stu-1' : null,
    data: priority <= 1 ? { direction: 'in', granted: true, gate: '东门' } : { kwh: 1.5, nested: { a: [1, 2] } },
    ...over,
  };
}

export function outboxContract(name: string, open: () => Promise<OutboxHarness>): void {
  describe(`SyncOutbox contract: ${name}`, () => {
    let h: OutboxHarness | null = null;
    const start = async () => (h = await open());
    afterEach(async () => {
      await h?.close();
      h = null;
    });

    it('starts empty', async () => {
      const { outbox } = await start();
      expect(await outbox.cursors()).toEqual({ 0: 0, 1: 0, 2: 0, 3: 0 });
      for (const lane of LANES) expect(await outbox.pending(lane, 0, 10)).toEqual([]);
      expect(await outbox.backlog()).toEqual({ pendingByLane: { 0: 0, 1: 0, 2: 0, 3: 0 }, oldestPendingAt: null });
    });

    it('returns each lane in append order with increasing seq, respecting after and limit', async () => {
      const { outbox, append } = await start();
      const events = [contractEvent(3), contractEvent(1), contractEvent(3), contractEvent(0), contractEvent(1), contractEvent(3)];
      await append(events);
      const bulk = await outbox.pending(3, 0, 100);
      expect(bulk.map((e) => e.event)).toEqual([events[0], events[2], events[5]]);
      const gate = await outbox.pending(1, 0, 100);
      expect(gate.map((e) => e.event.id)).toEqual([events[1]!.id, events[4]!.id]);
      expect((await outbox.pending(0, 0, 100)).map((e) => e.event.id)).toEqual([events[3]!.id]);
      expect(await outbox.pending(2, 0, 100)).toEqual([]);
      const all = [...bulk, ...gate].map((e) => e.seq);
      expect(new Set(all).size).toBe(all.length);
      expect(bulk[0]!.seq).toBeLessThan(bulk[1]!.seq);
      expect(bulk[1]!.seq).toBeLessThan(bulk[2]!.seq);
      expect(gate[0]!.seq).toBeLessThan(gate[1]!.seq);
      expect(bulk[0]!.seq).toBeLessThan(gate[0]!.seq);
      expect((await outbox.pending(3, 0, 2)).map((e) => e.seq)).toEqual([bulk[0]!.seq, bulk[1]!.seq]);
      expect((await outbox.pending(3, bulk[0]!.seq, 100)).map((e) => e.seq)).toEqual([bulk[1]!.seq, bulk[2]!.seq]);
      expect(await outbox.pending(3, bulk[2]!.seq, 100)).toEqual([]);
    });

    it('keeps the envelope exactly as appended', async () => {
      const { outbox, append } = await start();
      const e = contractEvent(2, { subject: '电表-3', data: { 中文: '值', n: 0.1, list: [null, true], deep: { x: { y: 'z' } } }, occurredAt: 1_700_000_000_123, clockTrusted: false });
      await append([e]);
      expect((await outbox.pending(2, 0, 1))[0]!.event).toEqual(e);
    });

    it('acknowledges per lane, several lanes in one call, never backwards', async () => {
      const { outbox, append } = await start();
      await append([contractEvent(0), contractEvent(3), contractEvent(3), contractEvent(1), contractEvent(3)]);
      const bulk = await outbox.pending(3, 0, 100);
      const safety = await outbox.pending(0, 0, 100);
      await outbox.ack({ 3: bulk[1]!.seq, 0: safety[0]!.seq });
      expect(await outbox.cursors()).toEqual({ 0: safety[0]!.seq, 1: 0, 2: 0, 3: bulk[1]!.seq });
      expect((await outbox.pending(3, (await outbox.cursors())[3], 100)).map((e) => e.seq)).toEqual([bulk[2]!.seq]);
      await outbox.ack({ 3: bulk[0]!.seq });
      expect((await outbox.cursors())[3]).toBe(bulk[1]!.seq);
      const b = await outbox.backlog();
      expect(b.pendingByLane).toEqual({ 0: 0, 1: 1, 2: 0, 3: 1 });
    });

    it('reports the oldest unacknowledged event', async () => {
      const t0 = Date.now();
      const { outbox, append } = await start();
      await append([contractEvent(3), contractEvent(1)]);
      const b = await outbox.backlog();
      expect(b.pendingByLane).toEqual({ 0: 0, 1: 1, 2: 0, 3: 1 });
      expect(b.oldestPendingAt).not.toBeNull();
      expect(b.oldestPendingAt!).toBeGreaterThanOrEqual(t0 - 60_000);
      expect(b.oldestPendingAt!).toBeLessThanOrEqual(Date.now() + 1000);
      const all = [...(await outbox.pending(3, 0, 10)), ...(await outbox.pending(1, 0, 10))];
      await outbox.ack({ 3: all[0]!.seq, 1: all[1]!.seq });
      expect(await outbox.backlog()).toEqual({ pendingByLane: { 0: 0, 1: 0, 2: 0, 3: 0 }, oldestPendingAt: null });
    });

    it('keeps events and cursors across a reopen', async (ctx) => {
      const first = await start();
      if (!first.reopen) return ctx.skip();
      await first.append([contractEvent(1), contractEvent(3), contractEvent(3)]);
      const bulk = await first.outbox.pending(3, 0, 10);
      await first.outbox.ack({ 3: bulk[0]!.seq });
      const outbox = await first.reopen();
      expect(await outbox.cursors()).toEqual({ 0: 0, 1: 0, 2: 0, 3: bulk[0]!.seq });
      expect((await outbox.pending(3, bulk[0]!.seq, 10)).map((e) => e.event)).toEqual([bulk[1]!.event]);
      expect(await outbox.pending(1, 0, 10)).toHaveLength(1);
      await first.append([contractEvent(3)]);
      const after = await outbox.pending(3, bulk[0]!.seq, 10);
      expect(after).toHaveLength(2);
      expect(after[1]!.seq).toBeGreaterThan(bulk[1]!.seq);
    });
  });
}

function change(seq: number, kind: ChangeRecord['kind'], key: string, data: Record<string, unknown> | null): ChangeRecord {
  return { seq, kind, key, op: data ? 'upsert' : 'delete', data, changedAt: Date.now() };
}

export function changeApplierContract(name: string, open: () => Promise<ChangeApplierHarness>): void {
  describe(`ChangeApplier contract: ${name}`, () => {
    let h: ChangeApplierHarness | null = null;
    afterEach(async () => {
      await h?.close();
      h = null;
    });

    it('starts at cursor 0 and stores records with the cursor', async () => {
      h = await open();
      expect(await h.applier.feedCursor()).toBe(0);
      await h.applier.applyChanges({ changes: [change(1, 'person', 'stu-1', { name: '张小明', roles: ['student'], active: true }), change(2, 'card', 'c-1', { personId: 'stu-1', version: 1, revoked: false })], cursor: 2 });
      expect(await h.applier.feedCursor()).toBe(2);
      expect(await h.read('card', 'c-1')).toMatchObject({ version: 1, revoked: false });
      expect(await h.read('person', 'stu-1')).toMatchObject({ name: '张小明' });
    });

    it('applies a page twice without harm, later versions win, deletes remove', async () => {
      h = await open();
      const page = { changes: [change(5, 'card', 'c-1', { personId: 'stu-1', version: 1, revoked: false })], cursor: 5 };
      await h.applier.applyChanges(page);
      await h.applier.applyChanges(page);
      await h.applier.applyChanges({ changes: [change(6, 'card', 'c-1', { personId: 'stu-1', version: 2, revoked: true })], cursor: 6 });
      expect(await h.read('card', 'c-1')).toMatchObject({ version: 2, revoked: true });
      await h.applier.applyChanges({ changes: [change(7, 'card', 'c-1', null)], cursor: 7 });
      expect(await h.read('card', 'c-1')).toBeNull();
      expect(await h.applier.feedCursor()).toBe(7);
    });

    it('accepts an empty page that only moves the cursor', async () => {
      h = await open();
      await h.applier.applyChanges({ changes: [], cursor: 9 });
      expect(await h.applier.feedCursor()).toBe(9);
    });

    it('keeps records and cursor across a reopen', async (ctx) => {
      h = await open();
      if (!h.reopen) return ctx.skip();
      await h.applier.applyChanges({ changes: [change(3, 'leave', 'l-1', { personId: 'stu-1', from: 1, until: 2 })], cursor: 3 });
      const again = await h.reopen();
      expect(await again.applier.feedCursor()).toBe(3);
      expect(await again.read('leave', 'l-1')).toMatchObject({ personId: 'stu-1' });
    });
  });
}
