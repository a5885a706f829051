import type { z } from 'zod';
import { translate, type Params } from '@campus/protocol';
import { HttpError } from '../http/errors.js';
import './messages.js';

/** One zod issue → its message id and parameters (bus.issue.*), so the console shows it in zh-CN and English. */
function issueMessage(issue: z.core.$ZodIssue): { id: string; params: Params } {
  const path = issue.path.length ? issue.path.join('.') : '(data)';
  switch (issue.code) {
    case 'invalid_type':
      return { id: 'bus.issue.invalid_type', params: { path, expected: issue.expected } };
    case 'too_big':
      return { id: 'bus.issue.too_big', params: { path, maximum: String(issue.maximum) } };
    case 'too_small':
      return { id: 'bus.issue.too_small', params: { path, minimum: String(issue.minimum) } };
    case 'invalid_format':
      return { id: 'bus.issue.invalid_format', params: { path } };
    case 'invalid_value':
      return { id: 'bus.issue.invalid_value', params: { path, values: issue.values.map(String).join(' | ') } };
    case 'unrecognized_keys':
      return { id: 'bus.issue.unrecognized_keys', params: { keys: issue.keys.join(', ') } };
    case 'custom': {
      const seats = /^at most (\d+) seats on a (\w+) bus/.exec(issue.message);
      if (seats) return { id: 'bus.issue.seats', params: { path, max: seats[1]!, kind: seats[2]! } };
      const dup = /^duplicate stop id (.+)$/.exec(issue.message);
      if (dup) return { id: 'bus.issue.duplicate_stop', params: { path, id: dup[1]! } };
      return { id: 'bus.issue.other', params: { path, message: issue.message } };
    }
    default:
      return { id: 'bus.issue.other', params: { path, message: issue.message } };
  }
}

/** Parses a bus record; bad data is a 400 whose message lists every problem in both languages. */
export function parseBusRecord<S extends z.ZodType>(kind: string, schema: S, data: unknown): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const msgs = r.error.issues.map(issueMessage);
  throw new HttpError(400, 'bus.error.invalid', {
    kind,
    zh: msgs.map((m) => translate('zh-CN', m.id, m.params)).join('；'),
    en: msgs.map((m) => translate('en', m.id, m.params)).join('; '),
  }, undefined, { issues: r.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })) });
}
