import type { z } from 'zod';

/**
 * Walks a zod (v4) schema as a config file sees it: every object a file can write,
 * through arrays, unions (discriminated or not), optionals, defaults, prefaults,
 * records, tuples, intersections, lazies and pipes (a preprocess or transform is
 * seen through to the schema that gets the file's value). Used to prove that every
 * object of the configuration refuses unknown keys, and to find the keys an object
 * knows when a file has a typo.
 */

/** How to get from a schema to one of its parts. */
export type Step =
  | { kind: 'key'; key: string }
  | { kind: 'element' }
  | { kind: 'tupleItem'; index: number }
  | { kind: 'recordValue' }
  | { kind: 'option'; index: number; label?: string }
  | { kind: 'inner' };

export interface ObjectNode {
  /** Readable path, e.g. "access.readers[].framing" or "access.keyKinds.*". */
  path: string;
  steps: Step[];
  schema: z.ZodType;
  keys: string[];
  /** Refuses keys outside its shape (z.strictObject). */
  strict: boolean;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const isOptionalInput = (s: z.ZodType): boolean => (s as unknown as { _zod: { optin?: string } })._zod.optin === 'optional';

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch', 'success']);

/** The parts of a schema a config value reaches, each with the step that leads there. */
function children(s: z.ZodType): Array<{ step: Step; schema: z.ZodType }> {
  const d = defOf(s);
  switch (d.type) {
    case 'object':
      return Object.entries(d.shape ?? {}).map(([key, schema]) => ({ step: { kind: 'key', key }, schema }));
    case 'array':
      return [{ step: { kind: 'element' }, schema: d.element! }];
    case 'tuple':
      return [...(d.items ?? []).map((schema, index) => ({ step: { kind: 'tupleItem' as const, index }, schema })), ...(d.rest ? [{ step: { kind: 'element' as const }, schema: d.rest }] : [])];
    case 'record':
      return [{ step: { kind: 'recordValue' }, schema: d.valueType! }];
    case 'union':
      return (d.options ?? []).map((schema, index) => ({ step: { kind: 'option', index, label: optionLabel(d.discriminator, schema) }, schema }));
    case 'intersection':
      return [
        { step: { kind: 'inner' }, schema: d.left! },
        { step: { kind: 'inner' }, schema: d.right! },
      ];
    case 'pipe':
      // A preprocess/transform in front: the file's value goes to what follows it.
      return [{ step: { kind: 'inner' }, schema: defOf(d.in!).type === 'transform' ? d.out! : d.in! }];
    case 'lazy':
      return [{ step: { kind: 'inner' }, schema: d.getter!() }];
    default:
      return WRAPPERS.has(d.type) && d.innerType ? [{ step: { kind: 'inner' }, schema: d.innerType }] : [];
  }
}

/** "kind=tcp" for an option of a union discriminated by kind. */
function optionLabel(discriminator: string | undefined, option: z.ZodType): string | undefined {
  if (!discriminator) return undefined;
  const literal = defOf(option).shape?.[discriminator];
  const values = literal ? defOf(literal).values : undefined;
  return values?.length ? `${discriminator}=${String(values[0])}` : undefined;
}

function render(steps: readonly Step[]): string {
  let out = '';
  for (const st of steps) {
    if (st.kind === 'key') out += (out ? '.' : '') + st.key;
    else if (st.kind === 'element') out += '[]';
    else if (st.kind === 'tupleItem') out += `[${st.index}]`;
    else if (st.kind === 'recordValue') out += (out ? '.' : '') + '*';
    else if (st.kind === 'option') out += `<${st.label ?? `option ${st.index + 1}`}>`;
  }
  return out || '(root)';
}

export interface WalkResult {
  objects: ObjectNode[];
  /** Places whose value is z.unknown()/z.any(): an object written there is not checked at all. */
  opaque: string[];
}

/** Every object node of a schema (each reached once per distinct path), and the unchecked places. */
export function walkSchema(root: z.ZodType): WalkResult {
  const objects: ObjectNode[] = [];
  const opaque: string[] = [];
  const visit = (s: z.ZodType, steps: Step[], stack: Set<z.ZodType>) => {
    if (stack.has(s)) return; // a recursive (lazy) schema: its objects were seen one level up
    const d = defOf(s);
    if (d.type === 'unknown' || d.type === 'any') opaque.push(render(steps));
    if (d.type === 'object') {
      const catchall = d.catchall ? defOf(d.catchall).type : undefined;
      objects.push({ path: render(steps), steps, schema: s, keys: Object.keys(d.shape ?? {}), strict: catchall === 'never' });
      if (catchall && catchall !== 'never') visit(d.catchall!, [...steps, { kind: 'recordValue' }], new Set([...stack, s]));
    }
    const next = new Set([...stack, s]);
    for (const c of children(s)) visit(c.schema, [...steps, c.step], next);
  };
  visit(root, [], new Set());
  return { objects, opaque };
}

/**
 * The keys known by the objects a concrete path (as in a zod issue: keys and array
 * indexes) can reach; several when unions offer several shapes there.
 */
export function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let frontier: z.ZodType[] = [root];
  const expand = (list: z.ZodType[]): z.ZodType[] => {
    const out: z.ZodType[] = [];
    const seen = new Set<z.ZodType>();
    const go = (s: z.ZodType) => {
      if (seen.has(s)) return;
      seen.add(s);
      const d = defOf(s);
      if (['object', 'array', 'tuple', 'record'].includes(d.type)) out.push(s);
      else for (const c of children(s)) go(c.schema);
    };
    list.forEach(go);
    return out;
  };
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of expand(frontier)) {
      const d = defOf(s);
      if (d.type === 'object' && typeof seg === 'string' && d.shape?.[seg]) next.push(d.shape[seg]);
      else if (d.type === 'array' && typeof seg === 'number') next.push(d.element!);
      else if (d.type === 'tuple' && typeof seg === 'number') {
        const item = d.items?.[seg] ?? d.rest;
        if (item) next.push(item);
      } else if (d.type === 'record') next.push(d.valueType!);
    }
    frontier = next;
  }
  const keys = new Set<string>();
  for (const s of expand(frontier)) if (defOf(s).type === 'object') Object.keys(defOf(s).shape ?? {}).forEach((k) => keys.add(k));
  return [...keys];
}

/** The known key a typo most likely meant, or null when none is close. */
export function closestKey(typo: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === typo.toLowerCase() ? 0.5 : editDistance(typo.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(typo.length / 3)));
  if (best !== null && bestDistance <= limit) return best;
  // A shortened key ("lineBaud" for "lineBaudRate").
  const lower = typo.toLowerCase();
  const prefixed = typo.length >= 4 ? known.filter((k) => k.toLowerCase().startsWith(lower)) : [];
  return prefixed.length === 1 ? prefixed[0]! : null;
}

/** A close key in another object of the schema (a key put in the wrong place), with that object's path. */
export function closestKeyElsewhere(root: z.ZodType, typo: string): { key: string; path: string } | null {
  // Only near-certain matches: a short key is close to too many others.
  if (typo.length < 5) return null;
  for (const node of walkSchema(root).objects) {
    const key = node.keys.find((k) => editDistance(typo.toLowerCase(), k.toLowerCase()) <= 1);
    if (key) return { key, path: node.path };
  }
  return null;
}

function editDistance(a: string, b: string): number {
  // Damerau (adjacent transposition) – Levenshtein.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * A small value of the schema's input type: required keys only, first union option,
 * first enum value. Not necessarily valid (string formats, cross-checks), but of the
 * right shape so a parse reaches every part of it.
 */
export function sampleInput(s: z.ZodType, depth = 0): unknown {
  const d = defOf(s);
  if (depth > 32) return undefined;
  switch (d.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.shape ?? {})) if (!isOptionalInput(v)) out[k] = sampleInput(v, depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'tuple':
      return (d.items ?? []).map((i) => sampleInput(i, depth + 1));
    case 'record':
      return {};
    case 'union':
      return sampleInput(d.options![0]!, depth + 1);
    case 'literal':
      return d.values![0];
    case 'enum':
      return Object.values(d.entries ?? {})[0];
    case 'string':
      return 'x';
    case 'number':
      return 1;
    case 'bigint':
      return 1n;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'date':
      return new Date(0);
    case 'unknown':
    case 'any':
      return {};
    case 'nullable':
      return null;
    default: {
      const c = children(s)[0];
      return c ? sampleInput(c.schema, depth + 1) : undefined;
    }
  }
}

const RECORD_KEY_CANDIDATES = ['a', 'A1', 'C1', 'x1', 'key', 'en', '1'];

/** A key the record's key schema accepts (so the parse goes on to the value). */
function recordKey(record: z.ZodType): string {
  const keyType = defOf(record).keyType;
  if (!keyType) return 'a';
  for (const k of [...RECORD_KEY_CANDIDATES, String(sampleInput(keyType))]) if (keyType.safeParse(k).success) return k;
  return 'a';
}

/**
 * An input that reaches the object at `steps` and puts `value` there, and the concrete
 * path (as zod reports issues) at which the value sits.
 */
export function inputReaching(root: z.ZodType, steps: readonly Step[], value: unknown): { input: unknown; path: PropertyKey[] } {
  const path: PropertyKey[] = [];
  const build = (s: z.ZodType, i: number): unknown => {
    if (i === steps.length) return value;
    const st = steps[i]!;
    const d = defOf(s);
    const child = children(s);
    switch (st.kind) {
      case 'key': {
        const base = (sampleInput(s) ?? {}) as Record<string, unknown>;
        path.push(st.key);
        return { ...base, [st.key]: build(d.shape?.[st.key] ?? d.catchall!, i + 1) };
      }
      case 'element':
        path.push(0);
        return [build(d.type === 'tuple' ? d.rest! : d.element!, i + 1)];
      case 'tupleItem': {
        const items = sampleInput(s) as unknown[];
        path.push(st.index);
        items[st.index] = build(d.items![st.index]!, i + 1);
        return items;
      }
      case 'recordValue': {
        if (d.type === 'object') {
          // The catchall of a loose object: a key outside its shape.
          path.push('zzExtra');
          return { ...(sampleInput(s) as object), zzExtra: build(d.catchall!, i + 1) };
        }
        const key = recordKey(s);
        path.push(key);
        return { [key]: build(d.valueType!, i + 1) };
      }
      case 'option':
        return build(d.options![st.index]!, i + 1);
      case 'inner': {
        // Wrappers, pipes, lazies: one child, except intersections (either side).
        const next = steps[i + 1];
        const pick = child.length > 1 && next ? (child.find((c) => reaches(c.schema, next)) ?? child[0]!) : child[0]!;
        return build(pick.schema, i + 1);
      }
    }
  };
  const input = build(root, 0);
  return { input, path };
}

function reaches(s: z.ZodType, step: Step): boolean {
  const d = defOf(s);
  if (step.kind === 'key') return d.type === 'object' && !!d.shape?.[step.key];
  return true;
}

export interface FlatIssue {
  code: string;
  path: PropertyKey[];
  keys?: string[];
  message: string;
}

/** Issues with those hidden inside union failures brought up, with full paths. */
export function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const i of issues) {
    const path = [...prefix, ...i.path];
    if (i.code === 'invalid_union' && 'errors' in i) {
      for (const branch of i.errors) out.push(...flattenIssues(branch, path));
    }
    out.push({ code: i.code, path, keys: i.code === 'unrecognized_keys' ? i.keys : undefined, message: i.message });
  }
  return out;
}
