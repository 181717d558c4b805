import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createRoot } from 'react-dom/client';
import { createFetcher, DEFAULT_HEADERS } from './fetcher.js';
import { operationsPlugin, type SavedOperation } from './operations-plugin.js';
import './playground.css';

/** Embedded by the gateway in the page as a JSON data block (never executed). */
interface PlaygroundConfig {
  endpoint: string;
  operations: SavedOperation[];
}

const WELCOME = `# Welcome to the Marquee playground.
#
# Saved operations (operations/frontend and operations/partner) are in the sidebar:
# click one to open it in a new tab. Queries and mutations go over HTTP, subscriptions
# over graphql-ws, both to this gateway. To act as a user, run SignIn and put its
# accessToken in the Authorization header below (a value still holding <token> is not sent).

query Welcome {
  events(first: 3) {
    totalCount
    edges {
      node {
        id
        title
        startsAt
        venue {
          name
          city
        }
      }
    }
  }
}
`;

const config = JSON.parse(
  document.getElementById('marquee-playground-config')?.textContent ?? '{}',
) as Partial<PlaygroundConfig>;
const fetcher = createFetcher(config.endpoint ?? '/graphql');
const saved = operationsPlugin(config.operations ?? []);

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={[saved]}
    defaultTabs={[{ query: WELCOME, headers: DEFAULT_HEADERS }]}
    defaultHeaders={DEFAULT_HEADERS}
    defaultEditorToolsVisibility="headers"
    isHeadersEditorEnabled
    shouldPersistHeaders={false}
  >
    <GraphiQL.Logo>Marquee</GraphiQL.Logo>
  </GraphiQL>,
);

/**
 * Show the saved operations on load. GraphiQL 4.1's `visiblePlugin` prop selects the plugin but
 * leaves its pane collapsed, so press the plugin's own sidebar button as soon as it exists.
 */
const showSaved = new MutationObserver(() => {
  const button = document.querySelector<HTMLButtonElement>(
    `.graphiql-sidebar button[aria-label="Show ${saved.title}"]`,
  );
  if (!button) return;
  showSaved.disconnect();
  button.click();
});
showSaved.observe(document.body, { childList: true, subtree: true });
