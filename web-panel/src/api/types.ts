import type { BrokerRole } from '@campus/protocol';
import type { DevicesAnswer, PublicUser, SessionAnswer, SystemInfo as ProtocolSystemInfo, UserRole } from '@campus/protocol/admin/api';
import type { Bilingual } from '@campus/protocol/energy/api';
import type { PanelEvent as ProtocolPanelEvent } from '@campus/protocol/events/panel';

/**
 * The edge's API shapes, as the panel sees them (docs/panel.md lists the routes): types
 * from protocol (the edge's response schemas), narrowed to what the panel uses.
 */
export const PANEL_ROLES = ['admin', 'security', 'facility', 'it', 'staff', 'contractor', 'transport', 'transport_manager'] as const satisfies readonly UserRole[];
export type PanelRole = UserRole;

export type BilingualText = Bilingual;
export type PanelUser = PublicUser;
export type Session = SessionAnswer;

/** An event from the log, with its text already rendered by the edge in both languages. */
export type PanelEvent = ProtocolPanelEvent;

export const BROKER_CLIENT_ROLES = ['device', 'pc-agent', 'operator', 'observer'] as const satisfies readonly BrokerRole[];
export type BrokerClientRole = BrokerRole;

export type BrokerClient = Omit<DevicesAnswer['clients'][number], 'enabled'>;

/** What socket.io pushes when a broker client connects or drops. */
export interface DevicePresence {
  clientId: string;
  online: boolean;
  lastSeen: number | null;
}

export type SystemInfo = Omit<ProtocolSystemInfo, 'broker'> & { broker: Pick<ProtocolSystemInfo['broker'], 'clients'> };
