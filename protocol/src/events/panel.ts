import { z } from 'zod';
import { EventEnvelopeSchema } from './envelope.js';

/**
 * An event as the panel receives it (GET /api/events, the socket's `event` message, a
 * gate override's decision): the envelope with its text in both languages.
 */
export const PanelEventSchema = EventEnvelopeSchema.extend({
  text: z.object({ 'zh-CN': z.string(), en: z.string() }),
});
export type PanelEvent = z.infer<typeof PanelEventSchema>;
