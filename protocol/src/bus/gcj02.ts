/**
 * WGS-84 → GCJ-02 (国测局坐标, "Mars coordinates"): the offset every map tile server in
 * mainland China (AutoNavi/高德, Tencent, Google's China tiles) draws in. Positions are
 * stored and compared in WGS-84 (GPS, JT/T 808); only a map with Chinese tiles converts,
 * and only for drawing. Outside mainland China's bounding box the coordinates pass
 * unchanged (the tiles there are WGS-84).
 *
 * The widely published formula (Krasovsky 1940 ellipsoid, a = 6378245 m), the same as
 * eviltransform / coordtransform; the reverse is iterative and good to about 1e-7°.
 */
const A = 6378245.0;
const EE = 0.006693421622965943; // 0.00669342162296594323 as the references write it, to double precision

export interface LatLon {
  lat: number;
  lon: number;
}

/** Mainland China's rough box, as the reference implementations use it. */
export function outOfChina(lat: number, lon: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function dLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function dLon(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

function delta(lat: number, lon: number): LatLon {
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  const la = (dLat(lon - 105.0, lat - 35.0) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const lo = (dLon(lon - 105.0, lat - 35.0) * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: la, lon: lo };
}

/** A WGS-84 position (GPS) → where Chinese map tiles draw it. */
export function wgs84ToGcj02(lat: number, lon: number): LatLon {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new RangeError(`not a position: ${lat}, ${lon}`);
  if (outOfChina(lat, lon)) return { lat, lon };
  const d = delta(lat, lon);
  return { lat: lat + d.lat, lon: lon + d.lon };
}

/** The reverse (a point clicked on a Chinese map → WGS-84), by fixed-point iteration to < 1e-9°. */
export function gcj02ToWgs84(lat: number, lon: number): LatLon {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new RangeError(`not a position: ${lat}, ${lon}`);
  if (outOfChina(lat, lon)) return { lat, lon };
  let w = { lat, lon };
  for (let i = 0; i < 30; i++) {
    const g = wgs84ToGcj02(w.lat, w.lon);
    const dl = g.lat - lat;
    const dn = g.lon - lon;
    w = { lat: w.lat - dl, lon: w.lon - dn };
    if (Math.abs(dl) < 1e-10 && Math.abs(dn) < 1e-10) break;
  }
  return w;
}
