import { badInput } from '@marquee/subgraph-kit';
import type { CreateEventInput, UpdateEventInput } from '../generated/resolvers.js';

/** The checked and normalised fields of an event (DateTime arrives as a Date). */
export type EventFields = Omit<CreateEventInput, 'venueId'>;

export const LIMITS = {
  title: 200,
  description: 10_000,
  categories: 10,
  category: 50,
  reason: 500,
} as const;

/** Every field checked and normalised; throws BAD_USER_INPUT naming the first bad field. */
export function validateNewEvent(input: CreateEventInput): EventFields & { venueId: string } {
  const fields = validateEventPatch(input) as EventFields;
  checkTimeOrder(fields.startsAt, fields.endsAt);
  return { ...fields, venueId: input.venueId };
}

/** The given fields checked and normalised; absent and null fields stay absent. */
export function validateEventPatch(input: UpdateEventInput): Partial<EventFields> {
  const out: Partial<EventFields> = {};
  if (input.title != null) out.title = title(input.title);
  if (input.description != null) out.description = description(input.description);
  if (input.startsAt != null) out.startsAt = input.startsAt;
  if (input.endsAt != null) out.endsAt = input.endsAt;
  if (input.timezone != null) out.timezone = timezone(input.timezone);
  if (input.categories != null) out.categories = categories(input.categories);
  return out;
}

export function checkTimeOrder(startsAt: Date, endsAt: Date) {
  if (startsAt.getTime() >= endsAt.getTime()) throw badInput('endsAt must be after startsAt', 'endsAt');
}

export function cancellationReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0 || trimmed.length > LIMITS.reason) {
    throw badInput(`reason must be 1 to ${LIMITS.reason} characters`, 'reason');
  }
  return trimmed;
}

function title(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > LIMITS.title) {
    throw badInput(`title must be 1 to ${LIMITS.title} characters`, 'title');
  }
  return trimmed;
}

function description(value: string): string {
  if (value.length > LIMITS.description) {
    throw badInput(`description must be at most ${LIMITS.description} characters`, 'description');
  }
  return value;
}

/** A real IANA zone name (not an offset), returned in its canonical spelling. */
export function timezone(value: string): string {
  const invalid = () => badInput('timezone must be an IANA time zone name, e.g. Europe/Berlin', 'timezone');
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value)) throw invalid();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw invalid();
  }
}

/** 1 to 10 non-empty names of at most 50 characters; stored trimmed, lower-cased, deduplicated. */
function categories(values: string[]): string[] {
  if (values.length === 0 || values.length > LIMITS.categories) {
    throw badInput(`categories must have 1 to ${LIMITS.categories} entries`, 'categories');
  }
  const normalised = values.map((value) => value.trim().toLowerCase());
  if (normalised.some((value) => value.length === 0 || value.length > LIMITS.category)) {
    throw badInput(`each category must be 1 to ${LIMITS.category} characters`, 'categories');
  }
  return [...new Set(normalised)];
}
