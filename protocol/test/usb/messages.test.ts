import { describe, expect, it } from 'vitest';
import { translate, allMessages } from '@campus/protocol/i18n';
import { USB_REASONS, usbReasonText } from '@campus/protocol/usb/reasons';
import { REASON_RE, EventEnvelopeSchema } from '@campus/protocol/events/envelope';
import { agentSilent, PolicyAckSchema, usbEventToNewEvent, UsbEventSchema, type UsbEvent } from '@campus/protocol/usb/messages';
import { uuidv7 } from '@campus/protocol/ids';
import { T0 } from './fixtures.js';

describe('USB reason codes', () => {
  it('every code is a valid reason and has zh-CN and English text', () => {
    const all = allMessages();
    for (const r of USB_REASONS) {
      expect(r).toMatch(REASON_RE);
      const msg = all[`reason.${r}`];
      expect(msg, r).toBeDefined();
      expect(msg!['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(msg!.en).toMatch(/[A-Za-z]/);
    }
  });

  it('formats parameters in both languages', () => {
    expect(usbReasonText('usb.policy.older', { version: 3, active: 5 })).toEqual({
      'zh-CN': 'USB 策略 v3 不比当前 v5 新，已拒绝',
      en: 'USB policy v3 is not newer than the active v5; refused',
    });
    expect(translate('en', 'reason.usb.blocked.rule', { rule: 'rule:x' })).toBe('Blocked by rule rule:x');
  });
});

const identity = { vid: '0781', pid: '5567', serial: 'S1', port: '1-2', manufacturer: null, product: 'Cruzer', interfaceClasses: [8] };

describe('USB event and ack payloads', () => {
  const blocked: UsbEvent = {
    id: uuidv7(),
    agentId: 'pc-101',
    at: T0,
    policyVersion: 4,
    droppedBefore: 0,
    kind: 'blocked',
    outcome: 'blocked',
    device: identity,
    rule: 'builtin.mass-storage',
    reason: 'usb.blocked.mass_storage',
    interfaces: [{ number: 0, alternate: 0, class: 8, subClass: 6, protocol: 0x50, action: 'deny', rule: 'builtin.mass-storage', reason: 'usb.blocked.mass_storage' }],
    expiresAt: null,
  };

  it('parses a blocked event and refuses unknown fields or reasons', () => {
    expect(UsbEventSchema.parse(blocked)).toEqual(blocked);
    expect(UsbEventSchema.safeParse({ ...blocked, extra: 1 }).success).toBe(false);
    expect(UsbEventSchema.safeParse({ ...blocked, reason: 'usb.blocked.because' }).success).toBe(false);
    expect(UsbEventSchema.safeParse({ ...blocked, kind: 'exploded' }).success).toBe(false);
  });

  it('maps onto the edge event envelope', () => {
    const ne = usbEventToNewEvent(blocked);
    expect(ne).toMatchObject({ type: 'usb.blocked', reason: 'usb.blocked.mass_storage', severity: 'warning', subject: 'pc-101', occurredAt: T0 });
    const envelope = { id: uuidv7(), site: 'demo', type: ne.type, occurredAt: T0, clockTrusted: true, reason: ne.reason, severity: ne.severity, priority: ne.priority, source: ne.source, subject: ne.subject, data: ne.data };
    expect(EventEnvelopeSchema.safeParse(envelope).success).toBe(true);
    expect(usbEventToNewEvent({ ...blocked, reason: 'usb.blocked.keystroke_guard', rule: 'builtin.keystroke-guard' }).severity).toBe('critical');
  });

  it('parses an ack', () => {
    const ack = { agentId: 'pc-101', at: T0, version: 4, status: 'refused', reason: 'usb.policy.older', activeVersion: 5, activeDigest: 'a'.repeat(64), persisted: true };
    expect(PolicyAckSchema.parse(ack)).toEqual(ack);
    expect(PolicyAckSchema.safeParse({ ...ack, status: 'maybe' }).success).toBe(false);
  });

  it('calls an agent silent after three missed heartbeats', () => {
    expect(agentSilent(T0, 30, T0 + 90_000)).toBe(false);
    expect(agentSilent(T0, 30, T0 + 90_001)).toBe(true);
  });
});
