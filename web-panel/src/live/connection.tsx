import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { devicePresenceSchema, panelEventSchema } from '../api/schemas';
import type { DevicePresence, PanelEvent } from '../api/types';
import { useSession } from '../auth/session';

interface ServerToPanel {
  event: (payload: unknown) => void;
  device: (payload: unknown) => void;
}
type PanelSocket = Socket<ServerToPanel, Record<string, never>>;

export type LiveStatus = 'connecting' | 'connected' | 'disconnected';

type Listener<T> = (value: T) => void;

/** Fan-out of validated live messages to whichever pages are mounted. */
class LiveChannel {
  readonly events = new Set<Listener<PanelEvent>>();
  readonly devices = new Set<Listener<DevicePresence>>();
  /** Fired on every connect after the first, so pages can fetch what they missed. */
  readonly reconnects = new Set<Listener<void>>();
}

const LiveContext = createContext<{ channel: LiveChannel; status: LiveStatus } | null>(null);

/** Retry delay after the edge refuses the live connection while the session still looks valid. */
const REFUSED_RETRY_MS = 5_000;

/** One socket.io connection per signed-in session, closed on sign-out. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const { recheck } = useSession();
  const [channel] = useState(() => new LiveChannel());
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const recheckRef = useRef(recheck);
  useEffect(() => {
    recheckRef.current = recheck;
  }, [recheck]);

  useEffect(() => {
    const socket: PanelSocket = io({ path: '/socket.io', withCredentials: true });
    let connectedBefore = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    socket.on('connect', () => {
      setStatus('connected');
      if (connectedBefore) for (const l of channel.reconnects) l();
      connectedBefore = true;
    });
    socket.on('disconnect', () => setStatus('disconnected'));
    socket.on('connect_error', () => {
      setStatus('disconnected');
      // socket.active is false when the server itself refused us (not a network blip):
      // the cookie may have expired, which recheck() turns into the sign-in page.
      if (!socket.active) {
        void recheckRef.current();
        retry = setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
      }
    });
    socket.on('event', (payload) => {
      const parsed = panelEventSchema.safeParse(payload);
      if (!parsed.success) return console.warn('panel: ignored a malformed live event', parsed.error.issues);
      for (const l of channel.events) l(parsed.data);
    });
    socket.on('device', (payload) => {
      const parsed = devicePresenceSchema.safeParse(payload);
      if (!parsed.success) return console.warn('panel: ignored a malformed device update', parsed.error.issues);
      for (const l of channel.devices) l(parsed.data);
    });

    return () => {
      clearTimeout(retry);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [channel]);

  return <LiveContext.Provider value={{ channel, status }}>{children}</LiveContext.Provider>;
}

function useLive() {
  const value = useContext(LiveContext);
  if (!value) throw new Error('live hooks outside <LiveProvider>');
  return value;
}

export function useLiveStatus(): LiveStatus {
  return useLive().status;
}

interface ChannelListeners {
  events: PanelEvent;
  devices: DevicePresence;
  reconnects: void;
}

function useListener<K extends keyof ChannelListeners>(kind: K, listener: Listener<ChannelListeners[K]>): void {
  const { channel } = useLive();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    const set = channel[kind] as Set<Listener<ChannelListeners[K]>>;
    const forward: Listener<ChannelListeners[K]> = (v) => latest.current(v);
    set.add(forward);
    return () => void set.delete(forward);
  }, [channel, kind]);
}

export function useLiveEvents(listener: Listener<PanelEvent>): void {
  useListener('events', listener);
}

export function useDevicePresence(listener: Listener<DevicePresence>): void {
  useListener('devices', listener);
}

export function useLiveReconnect(listener: () => void): void {
  useListener('reconnects', listener);
}
