import { z } from 'zod';

/**
 * Whether a reading may be stored and shown as data. Anything but `good` is kept
 * for diagnosis (which meter sends nonsense, and how often) but never enters
 * energy sums, charts or alarm thresholds.
 */
export const READING_QUALITIES = [
  'good',
  /** The register decoded to NaN (a meter or gateway signalling "no value"). */
  'nan',
  /** +/-Infinity, or an integer pattern the map marks as "not available". */
  'infinite',
  /** Finite but outside what the point can physically be (e.g. 9e37 V). */
  'out_of_range',
  /** An energy counter that went backwards: a meter reset or a swapped meter. */
  'regressed',
] as const;
export type ReadingQuality = (typeof READING_QUALITIES)[number];
export const ReadingQualitySchema = z.enum(READING_QUALITIES);
