/**
 * A Dockerfile reader, enough for structural checks: line continuations, comments, parser
 * directives, `--flag=value` options, exec (JSON) and shell forms, ARG defaults in FROM, stages.
 */
export interface Instruction {
  keyword: string;
  /** The arguments after the flags, as written. */
  args: string;
  flags: Record<string, string>;
  /** Exec form (`["node", "main.js"]`), when the arguments are a JSON array. */
  exec?: string[];
  line: number;
}

export interface Stage {
  name?: string;
  /** The image or earlier stage it starts from, ARGs substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  args: Record<string, string>;
  stages: Stage[];
}

const FLAGGED = new Set(['FROM', 'COPY', 'ADD', 'RUN', 'HEALTHCHECK']);

function logicalLines(text: string): { text: string; line: number }[] {
  const lines = text.split('\n');
  const result: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    // Comment lines are dropped, also inside a continued instruction (as Docker does).
    if (trimmed.startsWith('#')) return;
    if (!current) {
      if (trimmed === '') return;
      current = { text: '', line: index + 1 };
    }
    const continued = trimmed.endsWith('\\');
    current.text += ` ${continued ? trimmed.slice(0, -1).trim() : trimmed}`;
    if (!continued) {
      result.push({ text: current.text.trim(), line: current.line });
      current = undefined;
    }
  });
  if (current) result.push({ text: current.text.trim(), line: current.line });
  return result;
}

function parseInstruction(text: string, line: number): Instruction {
  const [keywordRaw = '', ...rest] = text.split(/\s+/);
  const keyword = keywordRaw.toUpperCase();
  let args = text.slice(keywordRaw.length).trim();
  const flags: Record<string, string> = {};
  if (FLAGGED.has(keyword)) {
    for (const word of rest) {
      const flag = /^--([a-z-]+)(?:=(.*))?$/.exec(word);
      if (!flag) break;
      flags[flag[1] ?? ''] = flag[2] ?? 'true';
      args = args.slice(word.length).trim();
    }
  }
  let exec: string[] | undefined;
  const jsonPart = keyword === 'HEALTHCHECK' ? args.replace(/^CMD\s+/, '') : args;
  if (jsonPart.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(jsonPart);
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) exec = parsed;
    } catch {
      // shell form after all
    }
  }
  return { keyword, args, flags, exec, line };
}

const substitute = (text: string, args: Record<string, string>) =>
  text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
    const value = args[a ?? b ?? ''];
    return value ?? whole;
  });

export function parseDockerfile(text: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: line, line: number } of logicalLines(text)) {
    const instruction = parseInstruction(line, number);
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({
        from: substitute(image, args),
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [key = '', value = ''] = instruction.args.split('=');
        args[key] = value;
      }
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** A stage and the stages it is built on, base first. */
export function stageChain(file: Dockerfile, stage: Stage): Stage[] {
  const chain = [stage];
  let current = stage;
  for (;;) {
    const parent = file.stages.find((s) => s.name !== undefined && s.name === current.from);
    if (!parent || chain.includes(parent)) break;
    chain.unshift(parent);
    current = parent;
  }
  return chain;
}

/** The image a stage ends up on (following `FROM <stage>`). */
export const baseImage = (file: Dockerfile, stage: Stage) => stageChain(file, stage)[0]?.from ?? '';

/** The instructions of a stage including those it inherits, in order. */
export const effectiveInstructions = (file: Dockerfile, stage: Stage) =>
  stageChain(file, stage).flatMap((s) => s.instructions);

/** The image's tag (`node:20-bookworm-slim` -> `20-bookworm-slim`), or undefined. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : withoutDigest.slice(colon + 1);
}
