import { OFFLINE, ONLINE, TOPIC_ROOT } from '@campus/protocol';
import {
  AgentHeartbeatSchema,
  PolicyAckSchema,
  UsbDeviceRequestSchema,
  UsbEventSchema,
  type AgentHeartbeat,
  type PolicyAck,
  type UsbDeviceRequest,
  type UsbEvent,
} from '@campus/protocol/usb/messages';
import type { z } from 'zod';

/**
 * Turns what a PC published into a trusted, typed message, or says exactly why not.
 * Pure: the authenticated client id comes from the broker, never from the payload,
 * and everything the payload claims is checked against it.
 */
export type AgentMessage =
  | { kind: 'state'; agentId: string; online: boolean }
  | { kind: 'heartbeat'; agentId: string; body: AgentHeartbeat }
  | { kind: 'ack'; agentId: string; body: PolicyAck }
  | { kind: 'usb'; agentId: string; body: UsbEvent }
  | { kind: 'request'; agentId: string; body: UsbDeviceRequest };

export type AgentMessageProblem = 'wrong_agent' | 'too_large' | 'not_json' | 'schema' | 'bad_state';

export type ParsedAgentMessage =
  | { ok: true; message: AgentMessage }
  | { ok: false; agentId: string; topic: string; problem: AgentMessageProblem; detail: string }
  /** Not a PC agent topic this domain reads. */
  | null;

const KINDS = ['state', 'heartbeat', 'ack', 'usb', 'request'] as const;
type Kind = (typeof KINDS)[number];

const SCHEMAS = {
  heartbeat: AgentHeartbeatSchema,
  ack: PolicyAckSchema,
  usb: UsbEventSchema,
  request: UsbDeviceRequestSchema,
} satisfies Record<Exclude<Kind, 'state'>, z.ZodType>;

const PREFIX = `${TOPIC_ROOT}/pc/`;

export function parseAgentMessage(m: { topic: string; payload: Buffer; clientId: string }, maxBytes: number): ParsedAgentMessage {
  if (!m.topic.startsWith(PREFIX)) return null;
  const [topicAgent, kind, ...rest] = m.topic.slice(PREFIX.length).split('/');
  if (!topicAgent || rest.length > 0 || !(KINDS as readonly string[]).includes(kind ?? '')) return null;
  const fail = (problem: AgentMessageProblem, detail: string): ParsedAgentMessage => ({ ok: false, agentId: m.clientId, topic: m.topic, problem, detail: detail.slice(0, 300) });
  // The broker's ACL already confines a PC to its own subtree; checked again so a
  // misconfigured ACL can never let one PC speak for another.
  if (topicAgent !== m.clientId) return fail('wrong_agent', `client ${m.clientId} published under ${topicAgent}`);
  if (m.payload.length > maxBytes) return fail('too_large', `${m.payload.length} bytes (limit ${maxBytes})`);
  if (kind === 'state') {
    const text = m.payload.toString('utf8');
    if (text !== ONLINE && text !== OFFLINE) return fail('bad_state', JSON.stringify(text.slice(0, 40)));
    return { ok: true, message: { kind: 'state', agentId: m.clientId, online: text === ONLINE } };
  }
  let json: unknown;
  try {
    json = JSON.parse(m.payload.toString('utf8'));
  } catch (err) {
    return fail('not_json', (err as Error).message);
  }
  const k = kind as Exclude<Kind, 'state'>;
  const parsed = SCHEMAS[k].safeParse(json);
  if (!parsed.success) {
    return fail(
      'schema',
      parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; '),
    );
  }
  const body = parsed.data as { agentId: string };
  if (body.agentId !== m.clientId) return fail('wrong_agent', `payload says ${body.agentId}, client is ${m.clientId}`);
  return { ok: true, message: { kind: k, agentId: m.clientId, body } as AgentMessage };
}
