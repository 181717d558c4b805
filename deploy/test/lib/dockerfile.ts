/**
 * A Dockerfile reader, enough for structural checks: line continuations, comments, parser
 * directives, `--flag=value` options, exec (JSON) and shell forms, stages, and variables as a
 * build with `--build-arg`s would see them (see parseDockerfile).
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

/**
 * `${NAME}` and `$NAME` replaced with their values. Names not in `vars` become empty, as Docker
 * does, unless `keepUnknown` (a RUN line's own shell variables, e.g. a loop's).
 */
const substitute = (text: string, vars: Record<string, string>, keepUnknown = false) =>
  text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
    const value = vars[a ?? b ?? ''];
    return value ?? (keepUnknown ? whole : '');
  });

/** Where Docker substitutes variables itself; RUN gets them from its shell. */
const SUBSTITUTED = new Set([
  'ADD',
  'COPY',
  'ENV',
  'EXPOSE',
  'LABEL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** `KEY=value` pairs of an ARG or ENV line (values without spaces, as ours are). */
const pairs = (args: string) =>
  args
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const at = word.indexOf('=');
      return at === -1
        ? { key: word, value: undefined }
        : { key: word.slice(0, at), value: word.slice(at + 1) };
    });

/**
 * Reads a Dockerfile as `docker build` with `buildArgs` would run it: ARGs before the first FROM
 * apply to FROM lines; an ARG inside a stage takes its build argument or default there (and only
 * there); ENV values hold in the stage and the stages built on it. Variables are substituted
 * where Docker does and in RUN lines (their shell sees ARGs and ENVs), never in CMD, ENTRYPOINT
 * or HEALTHCHECK: those run in the container, which has the ENVs only.
 */
export function parseDockerfile(text: string, buildArgs: Record<string, string> = {}): Dockerfile {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const envs = new Map<Stage, Record<string, string>>();
  let vars: Record<string, string> = {};
  for (const { text: line, line: number } of logicalLines(text)) {
    const instruction = parseInstruction(line, number);
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      const stage: Stage = {
        from: substitute(image, args),
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      };
      const parent = stages.find((s) => s.name !== undefined && s.name === stage.from);
      envs.set(stage, { ...(parent ? envs.get(parent) : {}) });
      stages.push(stage);
      vars = { ...envs.get(stage) };
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        for (const { key, value } of pairs(instruction.args)) args[key] = buildArgs[key] ?? value ?? '';
      }
    } else {
      const stage = stages[stages.length - 1]!;
      let read = instruction;
      if (SUBSTITUTED.has(instruction.keyword) || instruction.keyword === 'RUN') {
        const keepUnknown = instruction.keyword === 'RUN';
        read = { ...instruction, args: substitute(instruction.args, vars, keepUnknown) };
        if (instruction.exec) read.exec = instruction.exec.map((part) => substitute(part, vars, keepUnknown));
      }
      if (instruction.keyword === 'ARG') {
        for (const { key, value } of pairs(instruction.args))
          vars[key] = buildArgs[key] ?? value ?? args[key] ?? '';
      }
      if (instruction.keyword === 'ENV') {
        for (const { key, value } of pairs(read.args)) {
          if (value === undefined) continue;
          vars[key] = value;
          envs.get(stage)![key] = value;
        }
      }
      stage.instructions.push(read);
    }
  }
  return { args, stages };
}

/** The environment of a container started from `stage`: the ENVs of it and the stages under it. */
export function imageEnv(file: Dockerfile, stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of effectiveInstructions(file, stage)) {
    if (i.keyword !== 'ENV') continue;
    for (const { key, value } of pairs(i.args)) if (value !== undefined) env[key] = value;
  }
  return env;
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
