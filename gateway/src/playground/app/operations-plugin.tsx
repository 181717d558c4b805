import { useEditorContext, useSchemaStore, type GraphiQLPlugin } from '@graphiql/react';
import { useEffect, useRef, useState } from 'react';
import { exampleVariables } from './variables.js';

/** A document from the repository's operations/ folder, as the gateway embeds it in the page. */
export interface SavedOperation {
  group: string;
  name: string;
  type: string;
  source: string;
}

/** A sidebar plugin listing the saved operations; a click opens one in a new tab. */
export function operationsPlugin(operations: SavedOperation[]): GraphiQLPlugin {
  return {
    title: 'Saved operations',
    icon: ListIcon,
    content: () => <OperationList operations={operations} />,
  };
}

function OperationList({ operations }: { operations: SavedOperation[] }) {
  const editor = useEditorContext({ nonNull: true });
  const schema = useSchemaStore((state) => state.schema);
  const [filter, setFilter] = useState('');
  const pending = useRef<SavedOperation | null>(null);

  // addTab() resets the editors to an empty tab; fill them once the new tab is active.
  const { queryEditor, variableEditor, activeTabIndex, tabs } = editor;
  useEffect(() => {
    const operation = pending.current;
    if (!operation || !queryEditor) return;
    pending.current = null;
    queryEditor.setValue(operation.source);
    variableEditor?.setValue(exampleVariables(operation.source, schema));
  }, [queryEditor, variableEditor, activeTabIndex, tabs.length, schema]);

  const open = (operation: SavedOperation) => {
    pending.current = operation;
    editor.addTab();
  };

  const needle = filter.trim().toLowerCase();
  const shown = operations.filter((o) => !needle || o.name.toLowerCase().includes(needle));
  const groups = [...new Set(shown.map((o) => o.group))];
  return (
    <div className="marquee-operations">
      <div className="graphiql-doc-explorer-title">Saved operations</div>
      <p className="marquee-operations-hint">
        The documents in <code>operations/</code>. Click one to open it in a new tab, fill in its variables,
        and put an access token (from <code>SignIn</code>) in the <code>Authorization</code> header.
      </p>
      <input
        className="marquee-operations-filter"
        type="search"
        placeholder="Filter by name"
        aria-label="Filter saved operations"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      {operations.length === 0 && <p className="marquee-operations-hint">No operations found.</p>}
      {groups.map((group) => (
        <section key={group}>
          <h3 className="marquee-operations-group">{group}</h3>
          <ul>
            {shown
              .filter((o) => o.group === group)
              .map((operation) => (
                <li key={`${group}/${operation.name}`}>
                  <button
                    type="button"
                    className="marquee-operation"
                    data-operation={operation.name}
                    onClick={() => open(operation)}
                  >
                    <span>{operation.name}</span>
                    <span className={`marquee-operation-type marquee-operation-${operation.type}`}>
                      {operation.type}
                    </span>
                  </button>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function ListIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="1.5">
      <path d="M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01" strokeLinecap="round" />
    </svg>
  );
}
