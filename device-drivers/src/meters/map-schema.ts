import { z } from 'zod';
import { ENERGY_UNITS, POINT_NAME_RE } from '@campus/protocol/energy/index';
import { REGISTER_TABLES } from '../modbus/pdu.js';

/**
 * The JSON form of a register map (device-drivers/meter-maps/*.json, or a
 * school's own map). Addresses are 0-based as on the wire; "0x2006" or 8198.
 */
export const VALUE_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'bool'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** big: high word first (ABCD, Eastron and Chint); little: low word first (CDAB). */
export const WORD_ORDERS = ['big', 'little'] as const;
export type WordOrder = (typeof WORD_ORDERS)[number];

export const POLL_CLASSES = ['fast', 'slow'] as const;
export type PollClass = (typeof POLL_CLASSES)[number];

export const MODEL_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

const AddressSchema = z.union([
  z.number().int().min(0).max(0xffff),
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{1,4}$/, 'hex address like "0x2006"')
    .transform((s) => parseInt(s, 16)),
]);

const LabelSchema = z.strictObject({ 'zh-CN': z.string().min(1), en: z.string().min(1) });

export const MapPointSchema = z.strictObject({
  name: z.string().regex(POINT_NAME_RE, 'lower-case letters, digits and _'),
  address: AddressSchema,
  table: z.enum(REGISTER_TABLES).optional(),
  type: z.enum(VALUE_TYPES).optional(),
  wordOrder: z.enum(WORD_ORDERS).optional(),
  /** The decoded number is multiplied by this (0.1 for a value sent in tenths). */
  scale: z.number().finite().refine((v) => v !== 0, 'scale must not be 0').optional(),
  unit: z.enum(ENERGY_UNITS),
  /** Physically possible values after scaling; anything outside is flagged out_of_range. */
  range: z.tuple([z.number(), z.number()]).refine(([a, b]) => a <= b, 'range min > max').optional(),
  interval: z.enum(POLL_CLASSES).optional(),
  /** A cumulative counter (energy): a value going backwards is flagged. */
  counter: z.boolean().optional(),
  label: LabelSchema.optional(),
  note: z.string().optional(),
});
export type MapPointInput = z.input<typeof MapPointSchema>;

const RangeSchema = z
  .strictObject({ table: z.enum(REGISTER_TABLES), from: AddressSchema, to: AddressSchema, note: z.string().optional() })
  .refine((r) => r.from <= r.to, 'from > to');

export const MeterMapSchema = z.strictObject({
  $schema: z.string().optional(),
  model: z.string().regex(MODEL_RE, 'lower-case model id like "eastron-sdm630"'),
  /** A variant: start from that map, then override fields and points by name. */
  extends: z.string().regex(MODEL_RE).optional(),
  kind: z.enum(['meter', 'relay', 'io']).optional(),
  vendor: z.string().optional(),
  title: LabelSchema.optional(),
  /** Where the register facts come from, so an installer can check them. */
  sources: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
  /** Factory serial settings, for the installer and as defaults. */
  serial: z
    .strictObject({
      baudRate: z.number().int().positive(),
      parity: z.enum(['none', 'even', 'odd']),
      stopBits: z.union([z.literal(1), z.literal(2)]),
      defaultUnit: z.number().int().min(1).max(247),
    })
    .partial()
    .optional(),
  defaults: z
    .strictObject({
      table: z.enum(REGISTER_TABLES),
      type: z.enum(VALUE_TYPES),
      wordOrder: z.enum(WORD_ORDERS),
      interval: z.enum(POLL_CLASSES),
    })
    .partial()
    .optional(),
  limits: z
    .strictObject({
      maxRegisters: z.number().int().min(1).max(125),
      maxBits: z.number().int().min(1).max(2000),
      maxGap: z.number().int().min(0).max(125),
      maxGapBits: z.number().int().min(0).max(2000),
    })
    .partial()
    .optional(),
  /** The documented address space: a configured point outside it is refused. */
  readable: z.array(RangeSchema).optional(),
  /** Addresses a request must not touch (the device answers exception 2). */
  unreadable: z.array(RangeSchema).optional(),
  /** Replaces parent points of the same name; `removePoints` drops parent points. */
  points: z.array(MapPointSchema).default([]),
  removePoints: z.array(z.string()).optional(),
});
export type MeterMapInput = z.input<typeof MeterMapSchema>;
export type MeterMapParsed = z.output<typeof MeterMapSchema>;
