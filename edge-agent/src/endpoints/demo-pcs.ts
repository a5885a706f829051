import mqtt, { type MqttClient } from 'mqtt';
import { OFFLINE, ONLINE, topics, UuidV7Generator } from '@campus/protocol';
import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';
import type { AgentHeartbeat, PolicyAck, UsbDeviceRequest, UsbEvent } from '@campus/protocol/usb/messages';
import { policyDigest, SignedUsbPolicySchema } from '@campus/protocol/usb/signing';
import { DEMO_PCS } from './demo-pc-accounts.js';

export { DEMO_PCS, provisionDemoPcs } from './demo-pc-accounts.js';

/**
 * Two school PCs for the demo campus, speaking the agent's protocol over loopback: they
 * receive and acknowledge their policy, send heartbeats, now and then a student's stick
 * gets blocked in the lab, and a teacher in the office asks for her drive. The edge takes
 * them in on their first message, as it does a PC registered on the devices page.
 * (The real agent is endpoint-guard's campus-guard; this only fills the IT pages.)
 */

const STUDENT_STICK: UsbDeviceIdentity = { vid: '090c', pid: '1000', serial: 'AA00000000011283', port: '1-2', manufacturer: 'SMI Corporation', product: 'USB DISK', interfaceClasses: [8] };
const TEACHER_DRIVE: UsbDeviceIdentity = { vid: '0781', pid: '5567', serial: '4C530001230101104512', port: '1-1.2', manufacturer: 'SanDisk', product: 'Cruzer Blade', interfaceClasses: [8] };

/** What the demo PCs need from the edge: the broker port and each PC's MQTT password. */
export interface DemoPcsOptions {
  port: number;
  passwords: Record<string, string>;
  intervalMs: number;
  /** Where connection trouble goes (the demo has no one to show it to but the log). */
  onError?: (err: Error, agentId: string) => void;
}

export class DemoSchoolPcs {
  private readonly clients = new Map<string, MqttClient>();
  private readonly active = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly ids = new UuidV7Generator();
  private step = 0;

  constructor(private readonly deps: DemoPcsOptions) {}

  start(): void {
    for (const pc of DEMO_PCS) {
      const password = this.deps.passwords[pc.agentId];
      if (!password) continue;
      const c = mqtt.connect({
        host: '127.0.0.1',
        port: this.deps.port,
        clientId: pc.agentId,
        username: pc.agentId,
        password,
        protocolVersion: 4,
        reconnectPeriod: 2000,
        will: { topic: topics.agentState(pc.agentId), payload: Buffer.from(OFFLINE), qos: 1, retain: true },
      });
      c.on('connect', () => {
        c.publish(topics.agentState(pc.agentId), ONLINE, { qos: 1, retain: true });
        c.subscribe(topics.agentPolicy(pc.agentId), { qos: 1 });
        this.heartbeat(pc, c);
      });
      c.on('message', (_t, payload) => this.onPolicy(pc.agentId, c, payload));
      c.on('error', (err) => this.deps.onError?.(err, pc.agentId));
      this.clients.set(pc.agentId, c);
    }
    this.timers.push(
      setInterval(() => {
        for (const pc of DEMO_PCS) {
          const c = this.clients.get(pc.agentId);
          if (c) this.heartbeat(pc, c);
        }
      }, 30_000),
      setInterval(() => this.scene(), Math.max(5000, this.deps.intervalMs * 5)),
    );
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.clients.values()].map((c) => c.endAsync().catch(() => undefined)));
  }

  private onPolicy(agentId: string, c: MqttClient, payload: Buffer): void {
    if (payload.length === 0) return;
    const env = SignedUsbPolicySchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!env.success || typeof env.data.policy.version !== 'number') return;
    const version = env.data.policy.version;
    const same = this.active.get(agentId) === version;
    this.active.set(agentId, version);
    const ack: PolicyAck = {
      agentId,
      at: Date.now(),
      version,
      status: same ? 'already-applied' : 'applied',
      reason: same ? 'usb.policy.already_applied' : 'usb.policy.applied',
      activeVersion: version,
      activeDigest: policyDigest(env.data.policy),
      persisted: true,
    };
    c.publish(topics.agentAck(agentId), JSON.stringify(ack), { qos: 1, retain: true });
  }

  private heartbeat(pc: (typeof DEMO_PCS)[number], c: MqttClient): void {
    if (!c.connected) return;
    const hb: AgentHeartbeat = {
      agentId: pc.agentId,
      at: Date.now(),
      seq: this.step,
      hostname: pc.hostname,
      platform: 'linux',
      agentVersion: 'demo',
      intervalS: 30,
      uptimeS: Math.round(process.uptime()),
      policyVersion: this.active.get(pc.agentId) ?? 0,
      killSwitch: false,
      devicesPresent: 3,
      devicesBlocked: pc.agentId === 'pc-lab1-01' ? 1 : 0,
      eventsDropped: 0,
      eventsQueued: 0,
    };
    c.publish(topics.agentHeartbeat(pc.agentId), JSON.stringify(hb), { qos: 0 });
  }

  /** The demo's script: a stick in the lab, then once a teacher's request. */
  private scene(): void {
    const lab = this.clients.get('pc-lab1-01');
    const office = this.clients.get('pc-office-t3');
    const base = () => ({ id: this.ids.next(), at: Date.now(), droppedBefore: 0 });
    if (lab?.connected) {
      const policyVersion = this.active.get('pc-lab1-01') ?? 0;
      const inserted: UsbEvent = { ...base(), agentId: 'pc-lab1-01', policyVersion, kind: 'inserted', arrival: 'inserted', device: STUDENT_STICK, reason: 'usb.device.inserted' };
      const blocked: UsbEvent = {
        ...base(),
        agentId: 'pc-lab1-01',
        policyVersion,
        kind: 'blocked',
        outcome: 'blocked',
        device: STUDENT_STICK,
        rule: 'builtin.mass-storage',
        reason: 'usb.blocked.mass_storage',
        interfaces: [{ number: 0, alternate: 0, class: 8, subClass: 6, protocol: 0x50, action: 'deny', rule: 'builtin.mass-storage', reason: 'usb.blocked.mass_storage' }],
        expiresAt: null,
      };
      for (const e of [inserted, blocked]) lab.publish(topics.agentUsb('pc-lab1-01'), JSON.stringify(e), { qos: 1 });
    }
    if (this.step++ === 1 && office?.connected) {
      const req: UsbDeviceRequest = { id: this.ids.next(), agentId: 'pc-office-t3', at: Date.now(), device: TEACHER_DRIVE, requestedBy: '王老师', note: '下午公开课要用课件', durationMinutes: 120 };
      office.publish(topics.agentRequest('pc-office-t3'), JSON.stringify(req), { qos: 1 });
    }
  }
}
