/**
 * The MQTT topic tree, defined once. Everything lives under `campus/`.
 *
 *   campus/edge/state                      retained "online"/"offline" of the edge itself (edge only)
 *   campus/edge/clock                      retained clock status (edge only)
 *   campus/dev/{id}/state                  retained online/offline of a field device (the device, via last-will)
 *   campus/dev/{id}/telemetry/...          readings a device reports (the device)
 *   campus/dev/{id}/event/...              events a device reports, e.g. a scan (the device)
 *   campus/dev/{id}/cmd/...                commands to a device (edge only; the device subscribes)
 *   campus/pc/{id}/state                   retained online/offline of a PC agent (the agent, via last-will)
 *   campus/pc/{id}/heartbeat               agent heartbeat (the agent)
 *   campus/pc/{id}/usb                     USB events seen by the agent (the agent)
 *   campus/pc/{id}/ack                     policy version applied (the agent)
 *   campus/pc/{id}/request                 a teacher's device request (the agent)
 *   campus/pc/{id}/policy                  retained signed USB policy (edge only)
 *   campus/pc/{id}/cmd/...                 commands to an agent (edge only)
 *   campus/events/{type...}                domain events the edge publishes (edge only)
 *   campus/energy/circuit/{id}/state       retained circuit state (edge only)
 *   campus/energy/circuit/{id}/set         switch request (operators)
 *   campus/energy/meter/{id}/reading       meter readings (edge only)
 *   campus/alarms/{id}                     retained active alarms (edge only)
 *
 * Ids are single topic levels: letters, digits, '-', '_' and '.' only.
 */
export const TOPIC_ROOT = 'campus';

export const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}
function id(v: string): string {
  if (!isValidId(v)) throw new Error(`invalid topic id "${v}": use letters, digits, - _ . (max 64)`);
  return v;
}

export const topics = {
  edgeState: () => `${TOPIC_ROOT}/edge/state`,
  edgeClock: () => `${TOPIC_ROOT}/edge/clock`,
  deviceState: (device: string) => `${TOPIC_ROOT}/dev/${id(device)}/state`,
  deviceTelemetry: (device: string, name: string) => `${TOPIC_ROOT}/dev/${id(device)}/telemetry/${name}`,
  deviceEvent: (device: string, name: string) => `${TOPIC_ROOT}/dev/${id(device)}/event/${name}`,
  deviceCommand: (device: string, name: string) => `${TOPIC_ROOT}/dev/${id(device)}/cmd/${name}`,
  agentState: (agent: string) => `${TOPIC_ROOT}/pc/${id(agent)}/state`,
  agentHeartbeat: (agent: string) => `${TOPIC_ROOT}/pc/${id(agent)}/heartbeat`,
  agentUsb: (agent: string) => `${TOPIC_ROOT}/pc/${id(agent)}/usb`,
  agentAck: (agent: string) => `${TOPIC_ROOT}/pc/${id(agent)}/ack`,
  agentRequest: (agent: string) => `${TOPIC_ROOT}/pc/${id(agent)}/request`,
  agentPolicy: (agent: string) => `${TOPIC_ROOT}/pc/${id(agent)}/policy`,
  agentCommand: (agent: string, name: string) => `${TOPIC_ROOT}/pc/${id(agent)}/cmd/${name}`,
  event: (type: string) => `${TOPIC_ROOT}/events/${type.split('.').join('/')}`,
  circuitState: (circuit: string) => `${TOPIC_ROOT}/energy/circuit/${id(circuit)}/state`,
  circuitSet: (circuit: string) => `${TOPIC_ROOT}/energy/circuit/${id(circuit)}/set`,
  meterReading: (meter: string) => `${TOPIC_ROOT}/energy/meter/${id(meter)}/reading`,
  alarm: (alarm: string) => `${TOPIC_ROOT}/alarms/${id(alarm)}`,
} as const;

/** Payloads of the retained …/state topics. */
export const ONLINE = 'online';
export const OFFLINE = 'offline';

/** MQTT topic filter matching (+ and #), per MQTT 3.1.1 §4.7. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === '#') return i < t.length || t.length === i; // '#' also matches the parent level
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when a topic is a valid *publish* topic: no wildcards, no empty string, no NUL. */
export function isPublishableTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.includes('\u0000');
}

/**
 * Client roles on the broker. The edge's own publishes bypass the ACL (they do not come
 * from a network client). `{self}` is replaced by the authenticated client's id, so a
 * device can only ever write under its own subtree.
 */
export const BROKER_ROLES = ['device', 'pc-agent', 'operator', 'observer'] as const;
export type BrokerRole = (typeof BROKER_ROLES)[number];

export interface AclRules {
  publish: readonly string[];
  subscribe: readonly string[];
}

const READ_CAMPUS = [
  `${TOPIC_ROOT}/edge/#`,
  `${TOPIC_ROOT}/events/#`,
  `${TOPIC_ROOT}/energy/#`,
  `${TOPIC_ROOT}/alarms/#`,
  `${TOPIC_ROOT}/dev/+/state`,
  `${TOPIC_ROOT}/dev/+/telemetry/#`,
  `${TOPIC_ROOT}/pc/+/state`,
] as const;

/**
 * Home Assistant MQTT discovery configs the edge publishes (retained) for meters and
 * circuits when energy.homeAssistant is enabled. Read side only: a school's Home
 * Assistant connects as an operator (may switch circuits) or an observer; neither
 * may publish under homeassistant/ (HA's birth/will messages must be turned off).
 */
export const HOME_ASSISTANT_DISCOVERY = 'homeassistant/#';

export const ACL: Record<BrokerRole, AclRules> = {
  device: {
    publish: [
      `${TOPIC_ROOT}/dev/{self}/state`,
      `${TOPIC_ROOT}/dev/{self}/telemetry/#`,
      `${TOPIC_ROOT}/dev/{self}/event/#`,
    ],
    subscribe: [`${TOPIC_ROOT}/dev/{self}/cmd/#`, `${TOPIC_ROOT}/edge/state`],
  },
  'pc-agent': {
    publish: [
      `${TOPIC_ROOT}/pc/{self}/state`,
      `${TOPIC_ROOT}/pc/{self}/heartbeat`,
      `${TOPIC_ROOT}/pc/{self}/usb`,
      `${TOPIC_ROOT}/pc/{self}/ack`,
      `${TOPIC_ROOT}/pc/{self}/request`,
    ],
    subscribe: [`${TOPIC_ROOT}/pc/{self}/policy`, `${TOPIC_ROOT}/pc/{self}/cmd/#`, `${TOPIC_ROOT}/edge/state`],
  },
  operator: {
    publish: [`${TOPIC_ROOT}/energy/circuit/+/set`],
    subscribe: [...READ_CAMPUS, HOME_ASSISTANT_DISCOVERY],
  },
  observer: {
    publish: [],
    subscribe: [...READ_CAMPUS, HOME_ASSISTANT_DISCOVERY],
  },
};

function expand(pattern: string, self: string): string {
  return pattern.replaceAll('{self}', self);
}

export function mayPublish(role: BrokerRole, self: string, topic: string): boolean {
  if (!isPublishableTopic(topic)) return false;
  return ACL[role].publish.some((p) => topicMatches(expand(p, self), topic));
}

/**
 * A subscription is allowed when every topic it could match is readable: the filter
 * must be equal to or narrower than an allowed filter.
 */
export function maySubscribe(role: BrokerRole, self: string, filter: string): boolean {
  return ACL[role].subscribe.some((p) => filterWithin(filter, expand(p, self)));
}

/** True when every topic matched by `inner` is also matched by `outer`. */
export function filterWithin(inner: string, outer: string): boolean {
  const a = inner.split('/');
  const b = outer.split('/');
  for (let i = 0; i < a.length; i++) {
    const o = b[i];
    const x = a[i]!;
    if (o === undefined) return false;
    if (o === '#') return true;
    if (x === '#') return false; // inner reaches deeper than outer allows
    if (o === '+') continue;
    if (x === '+' || x !== o) return false;
  }
  return a.length === b.length || (b.length === a.length + 1 && b[a.length] === '#');
}

/**
 * The ACL of one authenticated client, compiled once at CONNECT: patterns expanded
 * with the client id and split into levels, so the per-message check allocates only
 * the split of the topic itself (the broker's hot path).
 */
export interface CompiledAcl {
  mayPublish(topic: string): boolean;
  maySubscribe(filter: string): boolean;
}

export function compileAcl(role: BrokerRole, self: string): CompiledAcl {
  const publish = ACL[role].publish.map((p) => expand(p, self).split('/'));
  const subscribe = ACL[role].subscribe.map((p) => expand(p, self));
  return {
    mayPublish(topic) {
      if (!isPublishableTopic(topic)) return false;
      const t = topic.split('/');
      return publish.some((f) => levelsMatch(f, t));
    },
    maySubscribe(filter) {
      return subscribe.some((p) => filterWithin(filter, p));
    },
  };
}

function levelsMatch(f: readonly string[], t: readonly string[]): boolean {
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === '#') return t.length >= i;
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}
