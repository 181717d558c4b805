/** The operations bench:gateway drives, and how their variables vary in the "varied" pattern. */
export interface BenchOperation {
  name: 'catalogue' | 'single-subgraph' | 'deep';
  query: string;
  /** Variables for the identical pattern. */
  identical: Record<string, unknown>;
  /** A pool the varied pattern cycles through (different ids, filters, cursors). */
  varied: Record<string, unknown>[];
}

export interface Catalogue {
  eventIds: string[];
  cursors: (string | null)[];
  categories: string[];
  cities: string[];
}

const PAGE_SIZES = [12, 13, 14, 15, 16, 17, 18, 19, 20];

export function benchOperations(catalogue: Catalogue): BenchOperation[] {
  const filters = [
    undefined,
    ...catalogue.categories.map((category) => ({ category })),
    ...catalogue.cities.map((city) => ({ city })),
    ...catalogue.categories.flatMap((category) => catalogue.cities.map((city) => ({ category, city }))),
  ];
  return [
    {
      name: 'catalogue',
      query: `query Catalogue($first: Int, $after: String, $filter: EventFilter) {
  events(first: $first, after: $after, filter: $filter) {
    edges { node { id title startsAt venue { name city } organizer { name }
      ticketTiers { name priceCents currency available } availability { status available } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
      identical: { first: 20 },
      // Page sizes x cursors and filters: hundreds of distinct requests, so that a body recurs
      // far less often than any deduplication or one-tick memory could reuse it.
      varied: PAGE_SIZES.flatMap((first) => [
        ...catalogue.cursors.map((after) => ({ first, after })),
        ...filters.map((filter) => ({ first, ...(filter ? { filter } : {}) })),
      ]),
    },
    {
      name: 'single-subgraph',
      query: `query Event($id: ID!) { event(id: $id) { id title description startsAt endsAt timezone categories status venue { name city country } } }`,
      identical: { id: catalogue.eventIds[0] },
      varied: catalogue.eventIds.map((id) => ({ id })),
    },
    {
      name: 'deep',
      query: `query Deep($first: Int, $filter: EventFilter) {
  events(first: $first, filter: $filter) {
    edges { node { title organizer { name organizedEvents(first: 5) { edges { node { title
      ticketTiers { name available } similarEvents(first: 3) { title } } } } } } }
  }
}`,
      identical: { first: 5 },
      varied: [3, 4, 5, 6, 7].flatMap((first) =>
        filters.map((filter) => ({ first, ...(filter ? { filter } : {}) })),
      ),
    },
  ];
}
