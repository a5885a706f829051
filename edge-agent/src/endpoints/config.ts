import { z } from 'zod';

/** The USB endpoint guard's config section. */
export const EndpointsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Run the USB endpoint guard service: PC agents, signed USB policies, USB events, device requests.'),
    brokerUrl: z
      .string()
      .regex(/^mqtts:\/\/[^\s/:]+(:\d{1,5})?$/, 'mqtts://host[:port]')
      .optional()
      .describe('Broker address written into agent config files (mqtts://host:port). If unset, the host name IT used to open the panel and the MQTT TLS port.'),
    signingKeyFile: z.string().min(1).default('endpoints/policy-signing-key.pem').describe('Ed25519 key that signs USB policies (PKCS#8 PEM, mode 0600), relative to dataDir; created on first start. Agents pin its public key.'),
    silentAfterSeconds: z.number().int().min(10).max(7 * 24 * 3600).default(300).describe('An agent that sent nothing for this long raises a silence alarm (once, until it is heard again).'),
    checkIntervalSeconds: z.number().int().min(1).max(3600).default(30).describe('How often silent agents and lapsed device grants are checked.'),
    maxMessageBytes: z.number().int().min(1024).max(1_048_576).default(65_536).describe('Largest message accepted from a PC agent; larger ones are refused and recorded.'),
    usbEventsPerMinute: z.number().int().min(10).max(100_000).default(600).describe('USB events stored per agent per minute (burst of the same size); the excess is counted and recorded as one event.'),
  })
  .prefault({})
  .describe('USB endpoint guard (终端USB管控) on the edge.');

export type EndpointsConfig = z.infer<typeof EndpointsConfigSchema>;
