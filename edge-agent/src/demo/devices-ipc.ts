import type { DemoGatePorts, DemoReaderId } from '../access/demo-school.js';

/*
 * The demo's simulated devices (QR readers, the turnstile relay board, meters, relay
 * boxes and the fire detector on Modbus, MQTT devices and school PCs) run in their own
 * process, as real devices are not part of the edge: the edge speaks to them over
 * loopback through its real drivers, and its memory is what it would be on a campus.
 * These are the messages between the edge (parent) and that process, over Node's IPC
 * channel. The child exits when the channel closes, so it never outlives the edge.
 */

/** Edge → devices: start the simulated hardware the edge's configuration does not bring itself. */
export interface StartDevices {
  type: 'start';
  dataDir: string;
  /** access.keysDir: the demo's card office writes its public key there. */
  keysDir: string;
  gates: boolean;
  energy: boolean;
}

/** Edge → devices: the edge is up; connect the MQTT devices and PCs. */
export interface RunDevices {
  type: 'run';
  mqttPort: number;
  /** Broker credentials of the demo's MQTT devices (client id = user name). */
  devices: Array<{ clientId: string; password: string }>;
  /** Per demo PC, its broker password; null when the endpoint guard is off. */
  pcs: Record<string, string> | null;
  intervalMs: number;
}

/**
 * Edge → devices: one scan at a simulated reader, as the demo's school day has it: a card
 * the demo's card office signs (person, version), a text (a visitor pass the edge issued),
 * or line noise.
 */
export interface ScanAtReader {
  type: 'scan';
  reader: DemoReaderId;
  card?: { personId: string; version: number };
  text?: string;
  noise?: true;
}

/** Edge → devices: placeholder photos for these people (the demo's photo studio). */
export interface MakePhotos {
  type: 'photos';
  people: Array<{ id: string; name: string }>;
}

/** Edge → devices: the edge is stopping; disconnect from the broker and stop scanning, keep the hardware up. */
export interface PauseDevices {
  type: 'pause';
}

/** Edge → devices: the edge has stopped; close the simulated hardware and exit. */
export interface StopDevices {
  type: 'stop';
}

export type ToDevices = StartDevices | RunDevices | ScanAtReader | MakePhotos | PauseDevices | StopDevices;

/** Devices → edge: where the simulators listen (null: not started, the configuration has its own). */
export interface DevicesReady {
  type: 'ready';
  gates: DemoGatePorts | null;
  energy: { teach: number; campus: number } | null;
}

/** Devices → edge: the photos asked for, PNG as base64. */
export interface PhotosMade {
  type: 'photos';
  photos: Array<{ id: string; pngBase64: string }>;
}

export type FromDevices = DevicesReady | PhotosMade | { type: 'paused' } | { type: 'stopped' } | { type: 'failed'; message: string };
