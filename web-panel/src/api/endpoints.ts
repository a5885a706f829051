import { LOGIN_PATH, type EdgeApi } from './client';
import { deviceListSchema, eventPageSchema, sessionSchema, systemInfoSchema } from './schemas';
import type { BrokerClient, PanelEvent, Session, SystemInfo } from './types';

/** The edge routes the panel uses, one function each. */
export function signIn(api: EdgeApi, username: string, password: string): Promise<Session> {
  return api.post(LOGIN_PATH, sessionSchema, { username, password });
}

export function currentSession(api: EdgeApi): Promise<Session> {
  return api.get('/api/auth/me', sessionSchema);
}

export function signOut(api: EdgeApi): Promise<void> {
  return api.postNoContent('/api/auth/logout');
}

export interface EventQuery {
  limit?: number;
  /** Id of the oldest event already shown: the page continues below it. */
  before?: string;
  /** Dotted type prefix, e.g. "access" or "security.login". */
  type?: string;
}

export async function fetchEvents(api: EdgeApi, query: EventQuery): Promise<PanelEvent[]> {
  const params = new URLSearchParams();
  params.set('limit', String(query.limit ?? 50));
  if (query.before) params.set('before', query.before);
  if (query.type) params.set('type', query.type);
  const page = await api.get(`/api/events?${params.toString()}`, eventPageSchema);
  return page.events;
}

export async function fetchDevices(api: EdgeApi): Promise<BrokerClient[]> {
  return (await api.get('/api/devices', deviceListSchema)).clients;
}

export function fetchSystem(api: EdgeApi): Promise<SystemInfo> {
  return api.get('/api/system', systemInfoSchema);
}

