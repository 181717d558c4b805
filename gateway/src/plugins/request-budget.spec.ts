import { describe, expect, it } from 'vitest';
import { RequestBudget } from './request-budget.js';

describe('request budget', () => {
  const limits = { maxEntities: 10, maxResponseBytes: 100, deadlineMs: 50 };

  it('fails the fetch that would pass the entity ceiling, and every one after', () => {
    const budget = new RequestBudget(limits);
    budget.beforeFetch(6);
    expect(() => budget.beforeFetch(5)).toThrow(/more than 10 entities/);
    expect(() => budget.beforeFetch(0)).toThrow(/more than 10 entities/);
    expect(budget.error().extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', reason: 'ENTITY_LIMIT' });
  });

  it('counts the bytes subgraphs answered', () => {
    const budget = new RequestBudget(limits);
    budget.afterFetch(60);
    expect(() => budget.afterFetch(60)).toThrow(/larger than 100 bytes/);
    expect(budget.exceeded).toBe('bytes');
  });

  it('answers at the deadline, whatever is still running', async () => {
    const budget = new RequestBudget(limits);
    const never = new Promise(() => {});
    await expect(budget.within(never)).rejects.toMatchObject({
      extensions: { code: 'GATEWAY_TIMEOUT' },
    });
    expect(() => budget.beforeFetch(0)).toThrow(/did not finish within 50 ms/);
  });
});
