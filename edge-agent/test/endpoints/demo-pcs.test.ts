import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoSchoolPcs, provisionDemoPcs } from '../../src/endpoints/demo-pcs.js';
import type { ApiClient } from '../helpers/edge.js';
import { eventually, startGuardEdge, type TestEdge } from './helpers.js';

describe('the demo campus’s school PCs', () => {
  let edge: TestEdge;
  let it_: ApiClient;
  let pcs: DemoSchoolPcs | undefined;

  beforeAll(async () => {
    ({ edge, it: it_ } = await startGuardEdge({}));
    // As in the demo: the edge provisions the PCs, the simulated agents connect with what they were given.
    pcs = new DemoSchoolPcs({ port: edge.mqtt.port, passwords: await provisionDemoPcs(edge.store.mqttClients), intervalMs: 1000 });
    pcs.start();
  });
  afterAll(async () => {
    await pcs?.stop();
    await edge.cleanup();
  });

  it('are taken in by the edge, apply their policy, report a blocked stick and ask for a drive', async () => {
    const agents = await eventually(async () => {
      const list = (await it_.req('GET', '/api/endpoints/agents')).json.agents as Array<{ agentId: string; online: boolean; hostname: string | null; policy: { state: string } }>;
      return list.length === 2 && list.every((a) => a.online && a.hostname && a.policy.state === 'applied') ? list : undefined;
    }, 15_000);
    expect(agents.map((a) => a.agentId)).toEqual(['pc-lab1-01', 'pc-office-t3']);
    await eventually(async () => (await it_.req('GET', '/api/events?type=usb.blocked&subject=pc-lab1-01')).json.events.length > 0, 15_000);
    const pending = await eventually(async () => {
      const r = (await it_.req('GET', '/api/endpoints/requests?status=pending')).json.requests;
      return r.length ? r : undefined;
    }, 20_000);
    expect(pending[0]).toMatchObject({ agentId: 'pc-office-t3', requestedBy: '王老师', durationMinutes: 120 });
    expect(edge.store.events.list({ typePrefix: 'endpoint.message' })).toEqual([]);
  }, 40_000);
});
