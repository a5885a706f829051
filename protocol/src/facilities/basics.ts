/**
 * Plain values of the facilities contract, without schemas: cheap to import where only
 * they are needed (the edge's config section is parsed on every box, facilities on or off).
 */
export const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type OrderPriority = (typeof PRIORITIES)[number];
