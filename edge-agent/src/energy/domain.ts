import type { EventBus, RoomPower } from '../core/bus.js';
import type { DomainDeps, DomainInstance } from '../modules/domain.js';
import type { ApiRouter } from '../http/router.js';
import type { EnergyConfig } from './config.js';
import { EnergyModule, type EnergyModuleOptions, type EnergyServices } from './energy-module.js';
import { energyRoutes } from './routes/index.js';

/** Energy and electrical safety as a running domain. */
export class EnergyDomain implements DomainInstance {
  readonly module: EnergyModule;
  readonly #bus: EventBus;
  #offAnswers: Array<() => void> = [];

  constructor(deps: DomainDeps<EnergyConfig>, opts: EnergyModuleOptions = {}) {
    this.#bus = deps.bus;
    this.module = new EnergyModule(
      { config: deps.config, site: deps.site.id, log: deps.log, store: deps.store, broker: deps.broker, metrics: deps.metrics, time: deps.time, school: deps.school },
      opts,
    );
  }

  routes(api: ApiRouter): void {
    energyRoutes(api, this.module);
  }

  async start(): Promise<void> {
    await this.module.start();
    // Other domains ask about rooms over the bus (facilities: lights and AC off after school).
    this.#offAnswers = [
      this.#bus.answer('energy.room.power', ({ room }) => {
        const s = this.module.services;
        return s ? roomPower(s, room) : null;
      }),
      this.#bus.answer('energy.room.switchOff', async ({ room, actor, why }) => {
        const s = this.module.services;
        if (!s || !s.topology.rooms.has(room)) return null;
        const ids = s.topology.circuitsOf({ rooms: [room] }).map((c) => c.id);
        const results = await s.circuits.switchMany(ids, { on: false, actor: { kind: 'user', id: actor }, why, holdMinutes: s.config.control.overrideDefaultMinutes });
        return { room, results: results.map((r) => ({ circuit: r.circuit, outcome: r.outcome, actual: r.actual, detail: r.detail })) };
      }),
    ];
  }

  stop(): Promise<void> {
    for (const off of this.#offAnswers.splice(0)) off();
    return this.module.stop();
  }

  health(): string | null {
    return this.module.services ? null : 'energy not running';
  }
}

/** A room's live power (its meters) and the read-back state of its circuits; null for an unknown room. */
export function roomPower(s: EnergyServices, room: string): RoomPower | null {
  const r = s.topology.rooms.get(room);
  if (!r) return null;
  const now = s.timers.now();
  let watts: number | null = null;
  for (const m of s.topology.metersOf({ kind: 'room', id: room })) {
    const p = s.live.power(m.id, now);
    if (p !== null) watts = (watts ?? 0) + p;
  }
  const circuits = s.topology.circuitsOf({ rooms: [room] }).map((c) => {
    const st = s.circuits.state(c.id);
    return { id: c.id, name: c.name, kind: c.kind, on: st?.on ?? null };
  });
  return { room, name: r.name, building: r.building, watts, circuits, allOff: circuits.length > 0 && circuits.every((c) => c.on === false) };
}
