import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@campus/testkit';
import type { ApiClient } from '../helpers/edge.js';
import { eventually, provision, SimulatedAgent, startGuardEdge, type TestEdge } from './helpers.js';

/**
 * The silence alarm on fake time: the edge's wall clock and every domain timer run on
 * one FakeClock (StartEdgeOptions.time), so "nothing more happens while the PC stays
 * silent" is proved by advancing the clock through many checks, not by sleeping.
 */
describe('endpoint guard: a silent PC, on fake time', () => {
  const clock = new FakeClock(Date.now(), { settle: true });
  let edge: TestEdge;
  let it_: ApiClient;
  let pc: SimulatedAgent;

  beforeAll(async () => {
    ({ edge, it: it_ } = await startGuardEdge(
      { endpoints: { checkIntervalSeconds: 1, silentAfterSeconds: 60 } },
      { wallNow: clock.now, time: clock },
    ));
    pc = await SimulatedAgent.connect(await provision(it_, 'pc-lab2-01', { groups: ['lab-2'] }));
    await pc.waitForVersion(1);
    await pc.heartbeat({ hostname: 'LAB2-01' });
    await eventually(async () => ((await it_.req('GET', '/api/endpoints/agents')).json.agents as Array<{ agentId: string; hostname: string | null }>).find((a) => a.agentId === 'pc-lab2-01' && a.hostname === 'LAB2-01'));
  });
  afterAll(async () => {
    pc?.close();
    await edge?.cleanup();
  });

  const silences = () => edge.store.events.list({ typePrefix: 'endpoint.agent', subject: 'pc-lab2-01' }).filter((e) => e.reason === 'endpoint.agent.silent');

  it('raises one alarm once the PC is silent for the configured time, and no more while it stays silent', async () => {
    await clock.advance(59_000);
    expect(silences()).toHaveLength(0);
    await clock.advance(2_000);
    await eventually(async () => silences().length === 1 || undefined);
    // Ten minutes of checks (one a second) later: still exactly one.
    await clock.advance(600_000);
    expect(silences()).toHaveLength(1);
    expect(silences()[0]!.data).toMatchObject({ agentId: 'pc-lab2-01', silentAfterS: 60 });
  });

  it('notes when it is heard again, and a new silence raises a new alarm', async () => {
    await pc.heartbeat();
    await eventually(async () => edge.store.events.list({ typePrefix: 'endpoint.agent', subject: 'pc-lab2-01' }).find((e) => e.reason === 'endpoint.agent.heard_again'));
    await clock.advance(30_000);
    expect(silences()).toHaveLength(1);
    await clock.advance(31_000);
    await eventually(async () => silences().length === 2 || undefined);
  });
});
