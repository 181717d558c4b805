/** Mean Earth radius (IUGG), the one haversine distances use. */
export const EARTH_RADIUS_KM = 6371.0088;

export interface BoundingBox {
  minLat: number;
  maxLat: number;
  /**
   * Longitude ranges to accept (one, or two when the box crosses the antimeridian);
   * undefined when the circle reaches a pole and every longitude qualifies.
   */
  lon?: [number, number][];
}

/**
 * The smallest latitude/longitude box around a circle (J. Matuschek's method), used to let the
 * venue coordinate index discard most rows before the exact haversine test.
 */
export function boundingBox(latitude: number, longitude: number, radiusKm: number): BoundingBox {
  const angular = radiusKm / EARTH_RADIUS_KM;
  const lat = toRadians(latitude);
  const minLat = lat - angular;
  const maxLat = lat + angular;
  if (minLat <= -Math.PI / 2 || maxLat >= Math.PI / 2) {
    return { minLat: Math.max(-90, toDegrees(minLat)), maxLat: Math.min(90, toDegrees(maxLat)) };
  }
  const deltaLon = toDegrees(Math.asin(Math.sin(angular) / Math.cos(lat)));
  const west = longitude - deltaLon;
  const east = longitude + deltaLon;
  const lon: [number, number][] =
    west < -180
      ? [
          [west + 360, 180],
          [-180, east],
        ]
      : east > 180
        ? [
            [west, 180],
            [-180, east - 360],
          ]
        : [[west, east]];
  return { minLat: toDegrees(minLat), maxLat: toDegrees(maxLat), lon };
}

/** Great-circle distance in km, as the SQL computes it (tests and seeds use it). */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = toRadians(lat2 - lat1);
  const dLon = toRadians(lon2 - lon1);
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(lat1)) * Math.cos(toRadians(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
const toDegrees = (radians: number) => (radians * 180) / Math.PI;
