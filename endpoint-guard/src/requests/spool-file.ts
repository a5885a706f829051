import { z } from 'zod';
import { Hex4Schema, PORT_RE } from '@campus/protocol/usb/device';

/**
 * What `campus-guard request` leaves in the spool directory for the running agent. The
 * user's claims (device facts, reason) are only a hint: the agent replaces the device
 * facts with its own view of the device when it still sees it, and the requesting user
 * comes from the file's owner, never from the file.
 */
export const SPOOL_FORMAT = 'campus.usb-request.spool/1';
/** A request is a few hundred bytes; anything bigger is not ours. */
export const SPOOL_FILE_MAX_BYTES = 4096;
export const MAX_REQUEST_HOURS = 24 * 366;

export const SpoolRequestSchema = z.strictObject({
  format: z.literal(SPOOL_FORMAT),
  createdAt: z.number().int().nonnegative(),
  device: z.strictObject({
    /** Kernel name (port path, e.g. 1-1.2) when the CLI picked a plugged device. */
    port: z.string().regex(PORT_RE).optional(),
    vid: Hex4Schema,
    pid: Hex4Schema,
    serial: z.string().min(1).max(128).nullable(),
  }),
  reason: z.string().trim().min(1).max(500),
  /** Absent: the teacher asks for the device permanently. */
  hours: z.number().int().positive().max(MAX_REQUEST_HOURS).optional(),
});
export type SpoolRequest = z.infer<typeof SpoolRequestSchema>;

/** Finished requests end in .json; the CLI writes a hidden temp file first and renames it. */
export function isRequestFileName(name: string): boolean {
  return !name.startsWith('.') && name.endsWith('.json') && name.length <= 128;
}

export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}
