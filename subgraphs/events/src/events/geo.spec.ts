import { describe, expect, it } from 'vitest';
import { boundingBox, EARTH_RADIUS_KM, haversineKm } from './geo.js';

/** The point `km` away from (lat, lon) heading `bearing` degrees (spherical destination formula). */
function destination(lat: number, lon: number, bearing: number, km: number): [number, number] {
  const rad = Math.PI / 180;
  const d = km / EARTH_RADIUS_KM;
  const φ1 = lat * rad;
  const θ = bearing * rad;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
  const λ2 =
    lon * rad +
    Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  const wrapped = ((((λ2 / rad + 180) % 360) + 360) % 360) - 180;
  return [φ2 / rad, wrapped];
}

function inside(box: ReturnType<typeof boundingBox>, lat: number, lon: number): boolean {
  if (lat < box.minLat - 1e-9 || lat > box.maxLat + 1e-9) return false;
  return !box.lon || box.lon.some(([west, east]) => lon >= west - 1e-9 && lon <= east + 1e-9);
}

// A small deterministic generator, so a failure can be replayed.
function random(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('boundingBox', () => {
  it('contains every point within the radius, wherever the circle lies', () => {
    const next = random(42);
    for (let i = 0; i < 500; i++) {
      const lat = next() * 180 - 90;
      const lon = next() * 360 - 180;
      const radius = [1, 50, 500, 5_000, 19_000][i % 5]! * (0.1 + next());
      const box = boundingBox(lat, lon, Math.min(radius, 20_000));
      for (let b = 0; b < 360; b += 15) {
        const [pLat, pLon] = destination(lat, lon, b, Math.min(radius, 20_000) * 0.999);
        expect(haversineKm(lat, lon, pLat, pLon)).toBeLessThanOrEqual(radius);
        expect(inside(box, pLat, pLon), `${lat},${lon} r=${radius} bearing ${b}`).toBe(true);
      }
    }
  });

  it('splits at the antimeridian and drops the longitude bound when a pole is inside', () => {
    expect(boundingBox(-16.8, 179.95, 20).lon).toHaveLength(2);
    expect(boundingBox(-16.8, -179.95, 20).lon).toHaveLength(2);
    expect(boundingBox(52.5, 13.4, 20).lon).toHaveLength(1);
    expect(boundingBox(89.9, 0, 50).lon).toBeUndefined();
    expect(boundingBox(-89.9, 0, 50)).toMatchObject({ minLat: -90 });
  });

  it('is tight: a point well outside the radius is outside the box north and south', () => {
    const box = boundingBox(52.5, 13.4, 10);
    expect(inside(box, 52.5 + 11 / 111.2, 13.4)).toBe(false);
    expect(inside(box, 52.5 - 11 / 111.2, 13.4)).toBe(false);
    expect(inside(box, 52.5, 13.4 + 11 / (111.2 * Math.cos((52.5 * Math.PI) / 180)))).toBe(false);
  });
});
