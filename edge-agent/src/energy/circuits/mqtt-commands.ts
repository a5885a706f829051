import type { AedesPublishPacket, Client } from 'aedes';
import { topicMatches, topics, type NewEvent } from '@campus/protocol';
import { parseCircuitSetPayload } from '@campus/protocol/energy/circuits';
import { ENERGY_EVENTS, ENERGY_REASONS } from '@campus/protocol/energy/edge-events';
import type { CircuitService } from './circuit-service.js';

const SET_FILTER = 'campus/energy/circuit/+/set';

/**
 * Switch requests from MQTT operators on campus/energy/circuit/{id}/set. The
 * broker's ACL already let only 'operator' clients publish there; here the
 * payload is checked, and a bad one is recorded as an event (who, what, why),
 * never thrown.
 */
export class CircuitMqttCommands {
  private readonly handler = (packet: AedesPublishPacket, client: Client | null) => {
    if (!client || !topicMatches(SET_FILTER, packet.topic)) return;
    this.handle(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload), client.id);
  };

  constructor(
    private readonly deps: {
      aedes: { on(event: 'publish', l: (p: AedesPublishPacket, c: Client | null) => void): unknown; off(event: 'publish', l: (p: AedesPublishPacket, c: Client | null) => void): unknown };
      circuits: CircuitService;
      defaultHoldMinutes: number;
      appendEvent: (e: NewEvent) => void;
      log: { warn(obj: object, msg: string): void };
    },
  ) {}

  start(): void {
    this.deps.aedes.on('publish', this.handler);
  }

  stop(): void {
    this.deps.aedes.off('publish', this.handler);
  }

  handle(topic: string, payload: string, clientId: string): void {
    const circuitId = topic.split('/')[3] ?? '';
    const reject = (detail: string) => {
      this.deps.log.warn({ topic, clientId, detail }, 'circuit command rejected');
      this.deps.appendEvent({
        type: ENERGY_EVENTS.circuitCommandRejected,
        reason: ENERGY_REASONS.commandRejected,
        severity: 'warning',
        source: `mqtt:${clientId}`,
        subject: circuitId || null,
        data: { client: clientId, topic, detail, payload: payload.slice(0, 200) },
      });
    };
    if (!this.deps.circuits.state(circuitId) || topics.circuitSet(circuitId) !== topic) return reject(`unknown circuit "${circuitId}"`);
    const parsed = parseCircuitSetPayload(payload);
    if (!parsed.ok) return reject(parsed.detail);
    const { on, holdMinutes, reason } = parsed.command;
    this.deps.circuits
      .switch(circuitId, { on, actor: { kind: 'mqtt', id: clientId }, why: reason ?? 'MQTT', holdMinutes: holdMinutes ?? this.deps.defaultHoldMinutes })
      .catch((err: unknown) => this.deps.log.warn({ err, circuitId }, 'circuit command failed'));
  }
}
