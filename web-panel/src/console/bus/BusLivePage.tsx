import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Card, Empty, Segmented, Space, Tag, Typography } from 'antd';
import { ApiError } from '../api';
import { useConsole } from '../session';
import { useBusT } from './messages';
import './bus-console.css';

interface LatLon {
  lat: number;
  lon: number;
}
export interface FleetBus {
  vehicleId: string | null;
  plate: string | null;
  tripId: string | null;
  direction: string | null;
  reached: number;
  between: number;
  position: { at: number; lat: number; lon: number; speedKmh: number; source: string; draw?: LatLon } | null;
  stale: boolean;
  onBoard: number;
  boarded: number;
}
export interface FleetRoute {
  id: string;
  name: string;
  stops: { id: string; name: string; lat: number; lon: number; depot: boolean; draw?: LatLon }[];
  buses: FleetBus[];
}
export interface FleetAnswer {
  date: string;
  routes: FleetRoute[];
  idle: FleetBus[];
  map: { url: string; coords: 'gcj02' | 'wgs84'; attribution?: string } | null;
}

const POLL_MS = Number(new URLSearchParams(window.location.search).get('busPollMs')) || 5000;
const clock = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { hourCycle: 'h23' });

/** One route as a line of stops in the trip's order, each running bus placed between the last stop it reached and the next. Needs no map. */
export function RouteSchematic({ route, bus }: { route: FleetRoute; bus: FleetBus }) {
  const stops = bus.direction === 'afternoon' ? [...route.stops].reverse() : route.stops;
  const n = stops.length;
  const where = bus.reached < 0 ? 0 : Math.min(n - 1, bus.reached + bus.between);
  const pct = (i: number) => (n <= 1 ? 50 : (i / (n - 1)) * 100);
  return (
    <div className="cbus-line" data-testid={`schematic-${route.id}-${bus.tripId}`} data-where={where.toFixed(2)}>
      <div className="cbus-track" />
      {stops.map((s, i) => (
        <div key={s.id} className={`cbus-stop${i <= bus.reached ? ' cbus-reached' : ''}${s.depot ? ' cbus-depot' : ''}`} style={{ left: `${pct(i)}%` }} data-stop={s.id}>
          <span className="cbus-dot" />
          <span className="cbus-name">{s.name}</span>
        </div>
      ))}
      <div className={`cbus-bus${bus.stale ? ' cbus-stale' : ''}`} style={{ left: `${pct(where)}%` }} data-testid="bus-marker" title={bus.plate ?? ''}>
        🚌
      </div>
    </div>
  );
}

const TILE = 256;
const worldX = (lon: number, z: number) => ((lon + 180) / 360) * TILE * 2 ** z;
const worldY = (lat: number, z: number) => {
  const s = Math.sin((lat * Math.PI) / 180);
  return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE * 2 ** z;
};

/** A plain tile map (no map library): the tiles of the configured server around all stops and buses, markers at their drawing coordinates (GCJ-02 on Chinese tiles, converted by the cloud). */
export function TileMap({ fleet, width = 900, height = 420 }: { fleet: FleetAnswer; width?: number; height?: number }) {
  const map = fleet.map!;
  const points: { p: LatLon; kind: 'stop' | 'bus'; label: string; stale?: boolean }[] = [];
  for (const r of fleet.routes) {
    for (const s of r.stops) points.push({ p: s.draw ?? s, kind: 'stop', label: s.name });
    for (const b of r.buses) if (b.position) points.push({ p: b.position.draw ?? b.position, kind: 'bus', label: b.plate ?? '', stale: b.stale });
  }
  for (const b of fleet.idle) if (b.position) points.push({ p: b.position.draw ?? b.position, kind: 'bus', label: b.plate ?? '', stale: true });
  if (!points.length) return null;
  const lats = points.map((x) => x.p.lat);
  const lons = points.map((x) => x.p.lon);
  let z = 17;
  // The largest zoom (≤17) at which everything fits, with a margin.
  while (z > 3 && (worldX(Math.max(...lons), z) - worldX(Math.min(...lons), z) > width - 80 || worldY(Math.min(...lats), z) - worldY(Math.max(...lats), z) > height - 80)) z--;
  const cx = (worldX(Math.max(...lons), z) + worldX(Math.min(...lons), z)) / 2;
  const cy = (worldY(Math.max(...lats), z) + worldY(Math.min(...lats), z)) / 2;
  const left = cx - width / 2;
  const top = cy - height / 2;
  const tiles: { x: number; y: number; url: string }[] = [];
  for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + width) / TILE); tx++)
    for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + height) / TILE); ty++) {
      const max = 2 ** z;
      const wx = ((tx % max) + max) % max;
      tiles.push({ x: tx, y: ty, url: map.url.replace('{z}', String(z)).replace('{x}', String(wx)).replace('{y}', String(ty)).replace('{s}', 'abc'[Math.abs(tx + ty) % 3]!) });
    }
  return (
    <div className="cbus-map" style={{ width, height }} data-testid="bus-map" data-zoom={z} data-coords={map.coords}>
      {tiles.map((t) => (
        <img key={`${t.x}/${t.y}`} className="cbus-tile" src={t.url} alt="" style={{ left: t.x * TILE - left, top: t.y * TILE - top }} />
      ))}
      {points.map((x, i) => (
        <div
          key={i}
          className={`cbus-marker cbus-marker-${x.kind}${x.stale ? ' cbus-stale' : ''}`}
          style={{ left: worldX(x.p.lon, z) - left, top: worldY(x.p.lat, z) - top }}
          data-kind={x.kind}
          data-lat={x.p.lat.toFixed(6)}
          data-lon={x.p.lon.toFixed(6)}
          title={x.label}
        >
          {x.kind === 'bus' ? `🚌 ${x.label}` : ''}
        </div>
      ))}
      {map.attribution && <div className="cbus-attribution">{map.attribution}</div>}
    </div>
  );
}

/** The transport manager's live view of all buses: the route schematic always, the map when tiles are configured. */
export default function BusLivePage() {
  const { api, schoolId } = useConsole();
  const { t, locale } = useBusT();
  const [fleet, setFleet] = useState<FleetAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<'schematic' | 'map'>('schematic');
  const [at, setAt] = useState<number | null>(null);

  const load = useCallback(async () => {
    if (!schoolId) return;
    try {
      setFleet(await api.get<FleetAnswer>(`/schools/${schoolId}/bus-fleet`));
      setAt(Date.now());
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    }
  }, [api, schoolId, locale]);
  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const direction = (d: string | null) => t(d === 'afternoon' ? 'cbus.direction.afternoon' : 'cbus.direction.morning');
  const busLine = (b: FleetBus) => (
    <Space wrap size={4}>
      <Typography.Text strong>{t('cbus.live.bus', { plate: b.plate ?? '—', direction: direction(b.direction), onBoard: b.onBoard, boarded: b.boarded })}</Typography.Text>
      <Typography.Text type="secondary">{b.position ? t('cbus.live.speed', { speed: Math.round(b.position.speedKmh), time: clock(b.position.at) }) : t('cbus.live.no_position')}</Typography.Text>
      {b.stale && <Tag color="orange">{t('cbus.live.stale')}</Tag>}
    </Space>
  );
  const canMap = !!fleet?.map;
  const idle = useMemo(() => fleet?.idle ?? [], [fleet]);

  return (
    <div data-testid="bus-live">
      <Space style={{ marginBottom: 16 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cbus.live.title')}
        </Typography.Title>
        {canMap && (
          <Segmented
            value={view}
            onChange={(v) => setView(v as 'schematic' | 'map')}
            options={[
              { value: 'schematic', label: t('cbus.live.schematic') },
              { value: 'map', label: t('cbus.live.map') },
            ]}
          />
        )}
        {at && <Typography.Text type="secondary">{t('cbus.live.updated', { time: clock(at) })}</Typography.Text>}
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {fleet && view === 'map' && canMap && <TileMap fleet={fleet} />}
      {fleet && view === 'schematic' && (
        <Space direction="vertical" style={{ width: '100%' }}>
          {fleet.routes.length === 0 && <Empty />}
          {fleet.routes.map((r) => (
            <Card key={r.id} size="small" title={r.name} data-testid={`route-${r.id}`}>
              {r.buses.length === 0 ? (
                <Typography.Text type="secondary">{t('cbus.live.no_trip')}</Typography.Text>
              ) : (
                r.buses.map((b) => (
                  <div key={b.tripId} className="cbus-trip">
                    {busLine(b)}
                    <RouteSchematic route={r} bus={b} />
                  </div>
                ))
              )}
            </Card>
          ))}
          {idle.length > 0 && (
            <Card size="small" title={t('cbus.live.idle')}>
              <Space direction="vertical">{idle.map((b) => <span key={b.vehicleId}>{busLine(b)}</span>)}</Space>
            </Card>
          )}
        </Space>
      )}
    </div>
  );
}
