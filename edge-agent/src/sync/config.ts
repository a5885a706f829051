import { z } from 'zod';

/** Edge → cloud sync. Off unless a cloud is configured. */
export const CloudConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Sync events to a cloud and receive cloud-owned records (rosters, cards, leaves, passes, calendars, USB policies).'),
    url: z.string().url().optional().describe('The cloud API, e.g. https://cloud.example.edu.cn'),
    linkFile: z
      .string()
      .optional()
      .describe('A JSON file with { cloudUrl, credentials: { edgeId, keyId, privateKey } } as written by the cloud when it provisions this edge (the demo uses it). Keys here override it.'),
    edgeId: z.string().min(1).max(128).optional().describe('This edge’s id at the cloud.'),
    keyId: z.string().min(1).max(128).optional().describe('Id of this edge’s signing key at the cloud.'),
    privateKeyFile: z.string().optional().describe('File with this edge’s Ed25519 private key (base64 PKCS#8 DER or PEM); keep it mode 0600.'),
    caFile: z.string().optional().describe('Extra CA certificate to trust for the cloud’s HTTPS (a school’s private CA).'),
    bandwidthBytesPerSec: z.number().int().positive().optional().describe('Upload cap for slow campus links (unlimited when unset).'),
  })
  .prefault({})
  .describe('Cloud sync (云同步).');

export type CloudConfig = z.infer<typeof CloudConfigSchema>;
