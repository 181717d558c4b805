/** Demo catalogue: deterministic, so every fresh start looks the same. */
export interface DemoVenue {
  key: string;
  name: string;
  address: string;
  city: string;
  country: string;
  capacity: number;
  latitude: number;
  longitude: number;
  timezone: string;
}

export const DEMO_VENUES: DemoVenue[] = [
  {
    key: 'ber-1',
    name: 'Kesselhaus',
    address: 'Knaackstraße 97',
    city: 'Berlin',
    country: 'DE',
    capacity: 900,
    latitude: 52.5393,
    longitude: 13.4134,
    timezone: 'Europe/Berlin',
  },
  {
    key: 'ber-2',
    name: 'Spreeufer Halle',
    address: 'Holzmarktstraße 25',
    city: 'Berlin',
    country: 'DE',
    capacity: 2500,
    latitude: 52.5115,
    longitude: 13.4276,
    timezone: 'Europe/Berlin',
  },
  {
    key: 'lis-1',
    name: 'Armazém 16',
    address: 'Rua Pereira Henriques 1',
    city: 'Lisbon',
    country: 'PT',
    capacity: 600,
    latitude: 38.7005,
    longitude: -9.1986,
    timezone: 'Europe/Lisbon',
  },
  {
    key: 'lis-2',
    name: 'Teatro do Rio',
    address: 'Avenida 24 de Julho 52',
    city: 'Lisbon',
    country: 'PT',
    capacity: 400,
    latitude: 38.7066,
    longitude: -9.1522,
    timezone: 'Europe/Lisbon',
  },
  {
    key: 'lon-1',
    name: 'The Foundry',
    address: '84 Great Eastern Street',
    city: 'London',
    country: 'GB',
    capacity: 1200,
    latitude: 51.5265,
    longitude: -0.0809,
    timezone: 'Europe/London',
  },
  {
    key: 'lon-2',
    name: 'Southbank Studio',
    address: '12 Belvedere Road',
    city: 'London',
    country: 'GB',
    capacity: 350,
    latitude: 51.5036,
    longitude: -0.1167,
    timezone: 'Europe/London',
  },
  {
    key: 'nyc-1',
    name: 'Pier 57 Hall',
    address: '25 11th Avenue',
    city: 'New York',
    country: 'US',
    capacity: 3000,
    latitude: 40.7434,
    longitude: -74.0089,
    timezone: 'America/New_York',
  },
  {
    key: 'nyc-2',
    name: 'Bowery Room',
    address: '6 Delancey Street',
    city: 'New York',
    country: 'US',
    capacity: 575,
    latitude: 40.7204,
    longitude: -73.9934,
    timezone: 'America/New_York',
  },
  {
    key: 'tyo-1',
    name: 'Shibuya Stage',
    address: '2-24-1 Shibuya',
    city: 'Tokyo',
    country: 'JP',
    capacity: 1500,
    latitude: 35.6595,
    longitude: 139.7005,
    timezone: 'Asia/Tokyo',
  },
];

const THEMES: Record<string, { titles: string[]; blurb: string; extra: string }> = {
  music: {
    titles: ['Indie Night', 'Synthwave Live', 'Folk Sessions', 'Electronic Sunrise'],
    blurb: 'Live bands and a late DJ set.',
    extra: 'live',
  },
  jazz: {
    titles: ['Late Jazz Club', 'Big Band Evening', 'Bebop Revival', 'Jazz Brunch'],
    blurb: 'Swing, standards and improvisation.',
    extra: 'music',
  },
  tech: {
    titles: ['GraphQL Summit', 'Rust Meetup', 'AI Engineering Day', 'Frontend Conf'],
    blurb: 'Talks and workshops for engineers.',
    extra: 'conference',
  },
  food: {
    titles: ['Street Food Market', 'Wine Tasting', 'Chef Table', 'Coffee Festival'],
    blurb: 'Taste your way through the city.',
    extra: 'festival',
  },
  theatre: {
    titles: ['Hamlet Reimagined', 'Improv Showcase', 'Opera for Beginners', 'Dance Theatre'],
    blurb: 'A night at the stage.',
    extra: 'arts',
  },
  comedy: {
    titles: ['Stand-up Night', 'Comedy Roast', 'Open Mic Laughs'],
    blurb: 'Comedians old and new.',
    extra: 'nightlife',
  },
  sports: {
    titles: ['City Run 10K', 'Basketball Finals Screening', 'Climbing Jam'],
    blurb: 'Move, cheer, repeat.',
    extra: 'outdoor',
  },
  art: {
    titles: ['Gallery Night', 'Photography Walk', 'Street Art Tour'],
    blurb: 'Art up close with the artists.',
    extra: 'arts',
  },
};

export interface DemoEvent {
  title: string;
  description: string;
  venueKey: string;
  categories: string[];
  /** Days from now, and hour of day in the venue's time zone (approximate: UTC offset ignored). */
  startsInDays: number;
  hour: number;
  durationHours: number;
  tiers: { name: string; priceCents: number; capacity: number; maxPerOrder: number }[];
}

/** 40 events over the next ~80 days, across 8 categories and 5 cities. */
export function demoEvents(): DemoEvent[] {
  const events: DemoEvent[] = [];
  const categories = Object.keys(THEMES);
  for (let i = 0; i < 40; i++) {
    const category = categories[i % categories.length]!;
    const theme = THEMES[category]!;
    const venue = DEMO_VENUES[(i * 7) % DEMO_VENUES.length]!;
    const title = `${theme.titles[Math.floor(i / categories.length) % theme.titles.length]} ${venue.city}`;
    const capacity = Math.min(venue.capacity, 60 + ((i * 37) % 240));
    events.push({
      title,
      description: `${theme.blurb} At ${venue.name}, ${venue.city}.`,
      venueKey: venue.key,
      categories: [category, theme.extra],
      startsInDays: 2 + i * 2,
      hour: 18 + (i % 4),
      durationHours: 3,
      tiers: [
        { name: 'General admission', priceCents: 1500 + (i % 5) * 500, capacity, maxPerOrder: 8 },
        {
          name: 'VIP',
          priceCents: 6000 + (i % 3) * 1500,
          capacity: Math.max(10, Math.floor(capacity / 6)),
          maxPerOrder: 4,
        },
      ],
    });
  }
  return events;
}

export const CURRENCY_BY_COUNTRY: Record<string, string> = {
  DE: 'EUR',
  PT: 'EUR',
  GB: 'GBP',
  US: 'USD',
  JP: 'JPY',
};
