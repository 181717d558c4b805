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
      varied: [
        ...catalogue.cursors.map((after) => ({ first: 20, after })),
        ...filters.map((filter) => ({ first: 20, ...(filter ? { filter } : {}) })),
      ],
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
      varied: filters.map((filter) => ({ first: 5, ...(filter ? { filter } : {}) })),
    },
  ];
}
