import { isId } from '@marquee/subgraph-kit';

/** Position in the soonest-first order: startsAt (ISO, millisecond precision) and id, the tie-breaker. */
export interface EventCursor {
  s: string;
  i: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isEventCursor(value: unknown): value is EventCursor {
  if (typeof value !== 'object' || value === null) return false;
  const { s, i } = value as Record<string, unknown>;
  return typeof s === 'string' && ISO.test(s) && !Number.isNaN(Date.parse(s)) && isId(i);
}

export const cursorOf = (event: { startsAt: Date; id: string }): EventCursor => ({
  s: event.startsAt.toISOString(),
  i: event.id,
});
