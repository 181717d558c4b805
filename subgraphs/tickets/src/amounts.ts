/**
 * Bounds of the integers we store: prices and totals are int4 columns in minor units, so a
 * value past MAX_CENTS would make Postgres fail the statement (a 500) instead of a clean
 * BAD_USER_INPUT. The services check them before anything is written.
 */
export const MAX_CENTS = 2_147_483_647;

/** The most tickets of one tier per order (the ticket_tiers check constraint caps maxPerOrder). */
export const MAX_PER_ORDER = 100;

/** The most seats in one tier (the ticket_tiers check constraint). */
export const MAX_CAPACITY = 1_000_000;
