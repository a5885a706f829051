import type { CircuitKind, RoomKind } from '@campus/protocol/energy/circuits';
import type { CircuitEntry, EnergyConfig, HoursSpec, MeterEntry } from './config.js';

/**
 * The campus as the energy domain sees it: buildings, rooms, meters and
 * circuits with their places. Built once from the configuration; entries that
 * point at something that does not exist are left out and reported, the rest
 * runs.
 */
export interface Building {
  id: string;
  name: string;
  hours: HoursSpec | 'always' | null;
  afterHoursPowerW: number | null;
}

export interface Room {
  id: string;
  name: string;
  building: string;
  kind: RoomKind;
}

export interface MeterPlace {
  id: string;
  name: string;
  busId: string;
  unit: number;
  model: string;
  building: string;
  room: string | null;
  ratedCurrentA: number | null;
  detector: boolean;
}

export interface RelayPlace {
  id: string;
  name: string;
  busId: string;
  unit: number;
  channels: number;
}

export interface Circuit {
  id: string;
  name: string;
  building: string;
  room: string | null;
  kind: CircuitKind;
  board: string;
  channel: number;
  meter: string | null;
}

export interface TopologyIssue {
  subject: string;
  detail: string;
}

export type Scope = { kind: 'campus' } | { kind: 'building'; id: string } | { kind: 'room'; id: string };

export class Topology {
  readonly buildings = new Map<string, Building>();
  readonly rooms = new Map<string, Room>();
  readonly meters = new Map<string, MeterPlace>();
  readonly relays = new Map<string, RelayPlace>();
  readonly circuits = new Map<string, Circuit>();
  readonly issues: TopologyIssue[] = [];

  constructor(config: Pick<EnergyConfig, 'buildings' | 'rooms' | 'buses' | 'circuits'>) {
    for (const b of config.buildings) {
      if (this.buildings.has(b.id)) this.issue(b.id, `building "${b.id}" is listed twice`);
      else this.buildings.set(b.id, { id: b.id, name: b.name, hours: b.hours ?? null, afterHoursPowerW: b.afterHoursPowerW ?? null });
    }
    for (const r of config.rooms) {
      if (!this.buildings.has(r.building)) this.issue(r.id, `room "${r.id}" names unknown building "${r.building}"`);
      else if (this.rooms.has(r.id)) this.issue(r.id, `room "${r.id}" is listed twice`);
      else this.rooms.set(r.id, { id: r.id, name: r.name, building: r.building, kind: r.kind });
    }
    const deviceIds = new Set<string>();
    for (const bus of config.buses) {
      for (const m of bus.meters) {
        const bad = this.placeProblem(m.id, m.building, m.room) ?? (deviceIds.has(m.id) ? `device id "${m.id}" is used twice` : null);
        if (bad) {
          this.issue(m.id, bad);
          continue;
        }
        deviceIds.add(m.id);
        this.meters.set(m.id, meterPlace(bus.id, m));
      }
      for (const r of bus.relays) {
        if (deviceIds.has(r.id)) {
          this.issue(r.id, `device id "${r.id}" is used twice`);
          continue;
        }
        deviceIds.add(r.id);
        const channels = typeof r.channels === 'number' ? r.channels : 8;
        this.relays.set(r.id, { id: r.id, name: r.name ?? r.id, busId: bus.id, unit: r.unit, channels });
      }
    }
    const used = new Map<string, string>();
    for (const c of config.circuits) {
      const bad = this.circuitProblem(c, used);
      if (bad) {
        this.issue(c.id, bad);
        continue;
      }
      used.set(`${c.relay.board}#${c.relay.channel}`, c.id);
      this.circuits.set(c.id, {
        id: c.id,
        name: c.name,
        building: c.building,
        room: c.room ?? null,
        kind: c.kind,
        board: c.relay.board,
        channel: c.relay.channel,
        meter: c.meter ?? null,
      });
    }
  }

  private issue(subject: string, detail: string): void {
    this.issues.push({ subject, detail });
  }

  private placeProblem(id: string, building: string, room: string | undefined): string | null {
    if (!this.buildings.has(building)) return `"${id}" names unknown building "${building}"`;
    if (room !== undefined) {
      const r = this.rooms.get(room);
      if (!r) return `"${id}" names unknown room "${room}"`;
      if (r.building !== building) return `"${id}": room "${room}" is in building "${r.building}", not "${building}"`;
    }
    return null;
  }

  private circuitProblem(c: CircuitEntry, used: Map<string, string>): string | null {
    if (this.circuits.has(c.id)) return `circuit "${c.id}" is listed twice`;
    const place = this.placeProblem(c.id, c.building, c.room);
    if (place) return place;
    const board = this.relays.get(c.relay.board);
    if (!board) return `circuit "${c.id}" names unknown relay board "${c.relay.board}"`;
    if (c.relay.channel > board.channels) return `circuit "${c.id}": relay board "${board.id}" has ${board.channels} channels, not ${c.relay.channel}`;
    const other = used.get(`${c.relay.board}#${c.relay.channel}`);
    if (other) return `circuit "${c.id}" uses channel ${c.relay.channel} of "${board.id}", already used by "${other}"`;
    if (c.meter !== undefined && !this.meters.has(c.meter)) return `circuit "${c.id}" names unknown meter "${c.meter}"`;
    return null;
  }

  /** Drops a meter the drivers refused (unknown model, bad register), keeping the rest. */
  dropMeter(id: string, detail: string): void {
    if (this.meters.delete(id)) this.issue(id, detail);
  }

  /** Billing meters (not safety detectors) whose energy counts towards a scope, by the rule in firmware-notes/energy-setup.md. */
  metersOf(scope: Scope): MeterPlace[] {
    const billing = [...this.meters.values()].filter((m) => !m.detector);
    if (scope.kind === 'room') return billing.filter((m) => m.room === scope.id);
    if (scope.kind === 'building') return buildingMeters(billing, scope.id);
    return [...this.buildings.keys()].flatMap((b) => buildingMeters(billing, b));
  }

  circuitsOf(filter: { buildings?: string[]; rooms?: string[]; roomKinds?: RoomKind[]; circuitKinds?: CircuitKind[]; circuits?: string[] }): Circuit[] {
    return [...this.circuits.values()].filter((c) => {
      if (filter.circuits && !filter.circuits.includes(c.id)) return false;
      if (filter.buildings && !filter.buildings.includes(c.building)) return false;
      if (filter.rooms && (!c.room || !filter.rooms.includes(c.room))) return false;
      if (filter.circuitKinds && !filter.circuitKinds.includes(c.kind)) return false;
      if (filter.roomKinds) {
        const kind = c.room ? this.rooms.get(c.room)?.kind : undefined;
        if (!kind || !filter.roomKinds.includes(kind)) return false;
      }
      return true;
    });
  }
}

/**
 * A building's energy is its main meters (meters with no room) when it has any,
 * otherwise the sum of its room meters: never both, so nothing counts twice.
 */
function buildingMeters(billing: MeterPlace[], building: string): MeterPlace[] {
  const inBuilding = billing.filter((m) => m.building === building);
  const mains = inBuilding.filter((m) => m.room === null);
  return mains.length > 0 ? mains : inBuilding;
}

function meterPlace(busId: string, m: MeterEntry): MeterPlace {
  return {
    id: m.id,
    name: m.name ?? m.id,
    busId,
    unit: m.unit,
    model: m.model,
    building: m.building,
    room: m.room ?? null,
    ratedCurrentA: m.ratedCurrentA ?? null,
    detector: m.detector,
  };
}
