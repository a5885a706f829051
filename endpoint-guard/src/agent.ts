import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { topics } from '@campus/protocol/topics';
import type { AgentHeartbeat, PolicyAck } from '@campus/protocol/usb/messages';
import { bootstrapUsbPolicy, type UsbPolicy } from '@campus/protocol/usb/policy';
import { USB_REASON, type UsbReason } from '@campus/protocol/usb/reasons';
import { DEFAULT_SPOOL_DIR } from './config/config-schema.js';
import type { LoadedConfig } from './config/load-config.js';
import { EdgeLink } from './edge/edge-link.js';
import type { UsbEnforcer } from './enforcer.js';
import { EventOutbox } from './events/event-outbox.js';
import { UsbEventReporter } from './events/usb-event-reporter.js';
import type { UsbKernelEventSource } from './linux/kernel-events.js';
import { LinuxUsbGuard, type GuardObservation } from './linux/linux-usb-guard.js';
import { SysfsPoller } from './linux/sysfs-poller.js';
import { SysfsUsb } from './linux/sysfs-usb.js';
import { UdevadmMonitor } from './linux/udevadm-monitor.js';
import type { Logger } from './log/logger.js';
import { judgePolicyMessage } from './policy/policy-inbox.js';
import { PolicyStore } from './policy/policy-store.js';
import { RequestSpool } from './requests/request-spool.js';
import { AGENT_VERSION } from './version.js';

/**
 * The campus-guard agent: the one place that wires the parts together. Enforcement
 * starts first and never waits for the edge — the last good policy (or the built-in
 * one) is in force before the first connection attempt, and stays in force while the
 * edge is unreachable. Stopped in reverse order.
 */
export interface GuardAgentOptions {
  loaded: LoadedConfig;
  log: Logger;
  now?: () => number;
  /** Replaces the kernel event source (tests run the fake kernel in-process). */
  kernelEvents?: UsbKernelEventSource;
  /** Replaces the Linux guard altogether (benchmarks simulating many PCs in one process). */
  enforcer?: (observe: (o: GuardObservation) => void) => UsbEnforcer;
}

interface ActivePolicy {
  policy: UsbPolicy;
  digest: string | null;
  persisted: boolean;
}

export class GuardAgent {
  private readonly now: () => number;
  private readonly startedAt: number;
  private active: ActivePolicy = { policy: bootstrapUsbPolicy(), digest: null, persisted: false };
  private store!: PolicyStore;
  private guard!: UsbEnforcer;
  private link!: EdgeLink;
  private outbox!: EventOutbox;
  private reporter!: UsbEventReporter;
  private requests: RequestSpool | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatSeq = 0;
  private policyChain: Promise<void> = Promise.resolve();
  private waiters: Array<{ version: number; resolve: () => void }> = [];

  constructor(private readonly opts: GuardAgentOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
  }

  get policy(): UsbPolicy {
    return this.active.policy;
  }

  get edgeConnected(): boolean {
    return this.link?.connected ?? false;
  }

  async start(): Promise<void> {
    const { config, keyring, username, password, pins } = this.opts.loaded;
    const log = this.opts.log;
    await mkdir(config.stateDir, { recursive: true, mode: 0o700 });

    this.store = new PolicyStore(config.stateDir, log);
    const stored = await this.store.load(keyring);
    if (stored) this.active = { policy: stored.policy, digest: stored.digest, persisted: true };
    log.info('enforcing policy', { version: this.active.policy.version, source: stored ? 'saved' : 'built-in' });

    this.link = new EdgeLink({
      agentId: config.agentId,
      host: config.edge.host,
      port: config.edge.port,
      ...(config.edge.servername ? { servername: config.edge.servername } : {}),
      pins,
      username,
      password,
      keepaliveSeconds: config.edge.keepaliveSeconds,
      reconnectSeconds: config.edge.reconnectSeconds,
      log: log.child({ part: 'edge' }),
      onPolicy: (payload) => this.enqueuePolicy(payload),
      onConnect: () => {
        this.outbox.pump();
        this.requests?.scan();
        void this.sendHeartbeat();
      },
    });
    this.outbox = new EventOutbox(
      config.events.queueMax,
      (item) => this.link.publish(item.topic, item.payload, { qos: 1 }),
      () => this.link.connected,
      log,
    );
    await this.outbox.load(this.outboxPath);
    const usbTopic = topics.agentUsb(config.agentId);
    this.reporter = new UsbEventReporter({
      agentId: config.agentId,
      perSecond: config.events.perSecond,
      burst: config.events.burst,
      now: this.now,
      policyVersion: () => this.active.policy.version,
      send: (e) => this.outbox.push({ topic: usbTopic, payload: JSON.stringify(e) }),
    });
    const observe = (o: GuardObservation) => this.reporter.observe(o);
    this.guard = this.opts.enforcer?.(observe) ?? (await this.platformEnforcer(observe));
    await this.guard.start(this.active.policy);

    this.link.start();
    await this.startRequests();
    this.heartbeatTimer = setInterval(() => void this.sendHeartbeat(), config.heartbeatSeconds * 1000);
  }

  private async platformEnforcer(observe: (o: GuardObservation) => void): Promise<UsbEnforcer> {
    const { config } = this.opts.loaded;
    const log = this.opts.log;
    if (process.platform === 'win32') {
      const [{ WindowsUsbEnforcer }, { CommandWindowsHost }] = await Promise.all([import('./windows/windows-usb-enforcer.js'), import('./windows/command-host.js')]);
      log.warn('Windows enforcement is not verified on real Windows yet; pilot it on a test PC first');
      return new WindowsUsbEnforcer({ host: new CommandWindowsHost(), log: log.child({ part: 'windows' }), now: this.now, observe });
    }
    return new LinuxUsbGuard({
      sysfs: new SysfsUsb(config.sysfsRoot),
      events: this.opts.kernelEvents ?? kernelEventSource(this.opts.loaded, log),
      log: log.child({ part: 'guard' }),
      now: this.now,
      observe,
      recheckMs: config.recheckSeconds * 1000,
    });
  }

  /**
   * Teachers' device requests (campus-guard request). Linux PCs only, and not for
   * simulated PCs with an injected enforcer. A spool that cannot be set up costs the
   * requests, never the enforcement.
   */
  private async startRequests(): Promise<void> {
    if (this.opts.enforcer || process.platform === 'win32') return;
    const { config } = this.opts.loaded;
    const dir = config.requests.spoolDir ?? (config.sysfsRoot === '/sys' ? DEFAULT_SPOOL_DIR : null);
    if (dir === null) return;
    const spool = new RequestSpool({
      dir,
      agentId: config.agentId,
      sysfs: new SysfsUsb(config.sysfsRoot),
      scanMs: config.requests.scanSeconds * 1000,
      perUserPerHour: config.requests.perUserPerHour,
      publish: (r) => this.link.publish(topics.agentRequest(config.agentId), JSON.stringify(r), { qos: 1 }),
      log: this.opts.log.child({ part: 'requests' }),
      now: this.now,
    });
    try {
      await spool.start();
      this.requests = spool;
    } catch (err) {
      await spool.stop();
      this.opts.log.error('device requests disabled: cannot set up the request spool', { dir, err });
    }
  }

  /** Resolves once a policy of at least `version` is in force (tests, demo). */
  whenApplied(version: number): Promise<void> {
    if (this.active.policy.version >= version) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ version, resolve }));
  }

  async stop(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    await this.policyChain;
    await this.requests?.stop();
    await this.guard?.stop();
    this.reporter?.stop();
    await this.link?.stop();
    await this.outbox?.save(this.outboxPath).catch((err: unknown) => this.opts.log.warn('cannot save queued events', { err }));
  }

  private get outboxPath(): string {
    return join(this.opts.loaded.config.stateDir, 'events.json');
  }

  /** Policies are handled one at a time, in arrival order. */
  private enqueuePolicy(payload: Buffer): void {
    this.policyChain = this.policyChain
      .then(() => this.handlePolicy(payload))
      .catch((err: unknown) => this.opts.log.error('policy handling failed', { err }));
  }

  private async handlePolicy(payload: Buffer): Promise<void> {
    const { config, keyring } = this.opts.loaded;
    const log = this.opts.log;
    const verdict = judgePolicyMessage(payload, {
      keyring,
      agentId: config.agentId,
      groups: config.groups,
      active: { version: this.active.policy.version, digest: this.active.digest },
    });
    switch (verdict.action) {
      case 'ignore':
        return;
      case 'already-applied':
        this.ack(verdict.version, 'already-applied', USB_REASON.policyAlreadyApplied);
        return;
      case 'refuse':
        log.warn('policy refused', { reason: verdict.reason, version: verdict.version, detail: verdict.detail });
        this.ack(verdict.version, 'refused', verdict.reason, verdict.detail);
        return;
      case 'apply': {
        // Saved before enforced: a crash in between restarts into the new policy, not the old.
        let persisted = true;
        try {
          await this.store.save(verdict.envelope);
        } catch (err) {
          persisted = false;
          log.error('cannot save the policy; enforcing it in memory only', { err });
        }
        this.active = { policy: verdict.policy, digest: verdict.digest, persisted };
        const rechecked = await this.guard.applyPolicy(verdict.policy);
        log.info('policy applied', { version: verdict.policy.version, killSwitch: verdict.policy.killSwitch, rechecked });
        const ready = this.waiters.filter((w) => w.version <= verdict.policy.version);
        this.waiters = this.waiters.filter((w) => w.version > verdict.policy.version);
        for (const w of ready) w.resolve();
        this.ack(verdict.policy.version, 'applied', persisted ? USB_REASON.policyApplied : USB_REASON.policyNotPersisted, `rechecked ${rechecked} devices`);
        return;
      }
    }
  }

  /**
   * Not awaited by policy handling: enforcement never waits for the network. If the edge
   * is gone before the broker acknowledged, the retained policy is re-delivered on the
   * next connection and answered again.
   */
  private ack(version: number | null, status: PolicyAck['status'], reason: UsbReason, detail?: string): void {
    const agentId = this.opts.loaded.config.agentId;
    const ack: PolicyAck = {
      agentId,
      at: this.now(),
      version,
      status,
      reason,
      activeVersion: this.active.policy.version,
      activeDigest: this.active.digest,
      persisted: this.active.persisted,
      ...(detail ? { detail: detail.slice(0, 300) } : {}),
    };
    // Retained: the edge learns every PC's applied version again after its own restart.
    void this.link.publish(topics.agentAck(agentId), JSON.stringify(ack), { qos: 1, retain: true }).then((sent) => {
      if (!sent) this.opts.log.warn('policy ack not delivered; will answer again on reconnect', { version, status });
    });
  }

  private async sendHeartbeat(): Promise<void> {
    if (!this.link.connected) return;
    const { config } = this.opts.loaded;
    const snap = this.guard.snapshot();
    const hb: AgentHeartbeat = {
      agentId: config.agentId,
      at: this.now(),
      seq: this.heartbeatSeq++,
      hostname: hostname().slice(0, 128),
      platform: process.platform === 'win32' ? 'win32' : 'linux',
      agentVersion: AGENT_VERSION,
      intervalS: config.heartbeatSeconds,
      uptimeS: Math.max(0, Math.round((this.now() - this.startedAt) / 1000)),
      policyVersion: this.active.policy.version,
      killSwitch: this.active.policy.killSwitch,
      devicesPresent: snap.present,
      devicesBlocked: snap.blocked,
      eventsDropped: this.reporter.droppedTotal + this.outbox.overflowDropped,
      eventsQueued: this.outbox.size,
    };
    await this.link.publish(topics.agentHeartbeat(config.agentId), JSON.stringify(hb), { qos: 0 });
  }
}

function kernelEventSource(loaded: LoadedConfig, log: Logger): UsbKernelEventSource {
  const { sysfsRoot, kernelEvents } = loaded.config;
  const udevadm = kernelEvents.command !== undefined || ['/usr/bin/udevadm', '/bin/udevadm', '/sbin/udevadm', '/usr/sbin/udevadm'].some((p) => existsSync(p));
  const useUdevadm = kernelEvents.source === 'udevadm' || (kernelEvents.source === 'auto' && sysfsRoot === '/sys' && udevadm);
  if (useUdevadm) return new UdevadmMonitor({ ...(kernelEvents.command ? { command: kernelEvents.command } : {}), log: log.child({ part: 'udevadm' }) });
  return new SysfsPoller({ devicesDir: join(sysfsRoot, 'bus', 'usb', 'devices'), pollMs: kernelEvents.pollMs, log });
}
