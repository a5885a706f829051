import type { EventEnvelope } from '@campus/protocol';

/** The edge's API shapes, as the panel sees them (docs/panel.md lists the routes). */
export const PANEL_ROLES = ['admin', 'security', 'facility', 'it'] as const;
export type PanelRole = (typeof PANEL_ROLES)[number];

export interface BilingualText {
  'zh-CN': string;
  en: string;
}

export interface PanelUser {
  username: string;
  displayName: string;
  roles: PanelRole[];
  locale: 'zh-CN' | 'en';
}

export interface Session {
  user: PanelUser;
  csrfToken: string;
}

/** An event from the log, with its text already rendered by the edge in both languages. */
export type PanelEvent = EventEnvelope & { text: BilingualText };

export const BROKER_CLIENT_ROLES = ['device', 'pc-agent', 'operator', 'observer'] as const;
export type BrokerClientRole = (typeof BROKER_CLIENT_ROLES)[number];

export interface BrokerClient {
  clientId: string;
  role: BrokerClientRole;
  displayName: string;
  online: boolean;
  lastSeen: number | null;
  address: string | null;
}

/** What socket.io pushes when a broker client connects or drops. */
export interface DevicePresence {
  clientId: string;
  online: boolean;
  lastSeen: number | null;
}

export interface SystemInfo {
  site: string;
  siteName: string;
  version: string;
  clock: { trusted: boolean; source: string };
  broker: { clients: number };
}
