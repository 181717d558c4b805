/**
 * A port a service could not listen on, as one sentence that names the setting to change.
 * listen() throws it without the variable (it does not know it); whoever read the setting
 * names it (`named`), and entry points print it and exit 1 (`exitOnPortError`).
 */
export class PortError extends Error {
  constructor(
    readonly port: number,
    readonly reason: 'in use' | 'not allowed',
    readonly variable?: string,
  ) {
    super(portSentence(port, reason, variable));
    this.name = 'PortError';
  }

  /** The same problem, said with the variable that set the port. */
  named(variable: string): PortError {
    return new PortError(this.port, this.reason, variable);
  }
}

function portSentence(port: number, reason: PortError['reason'], variable?: string): string {
  const setting = variable ? `${variable}=${port}` : `Port ${port}`;
  // "...=..." ends the sentence already.
  const choose = variable ? `choose another port with ${variable}=...` : 'choose another port.';
  return reason === 'in use'
    ? `${setting} is already in use by another program; stop it or ${choose}`
    : `${setting} needs privileges this process does not have (ports below 1024 usually do); ${choose}`;
}

/** A listen failure as a PortError when it is one the user fixes with a setting, else undefined. */
export function portErrorOf(error: unknown, port: number): PortError | undefined {
  if (error instanceof PortError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return new PortError(port, 'in use');
  if (code === 'EACCES') return new PortError(port, 'not allowed');
  return undefined;
}

/**
 * For entry points: a port problem is printed as its one sentence, naming `variables[i]` whose
 * value is the port when the error does not name one yet, and the process exits 1. Anything
 * else is left to the caller.
 */
export function exitOnPortError(error: unknown, variables: Record<string, number | undefined> = {}): void {
  if (!(error instanceof PortError)) return;
  const variable = error.variable ?? Object.entries(variables).find(([, value]) => value === error.port)?.[0];
  console.error((variable ? error.named(variable) : error).message);
  process.exit(1);
}
