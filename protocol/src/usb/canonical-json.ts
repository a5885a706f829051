/**
 * Canonical JSON for signatures, after RFC 8785 (JCS): object keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings as ECMAScript's JSON.stringify writes them.
 * Two parties that agree on the value get the same bytes, whatever order the keys were
 * built or parsed in, so a signature survives a round trip through JSON.parse.
 *
 * Only plain JSON data is accepted: a NaN, an Infinity, a Date, a Map, undefined in an
 * array or a cycle would silently change meaning when serialised, so they throw.
 */
export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
}

/** Deeper nesting than any policy needs; bounds the recursion on hostile input. */
const MAX_DEPTH = 32;

export function canonicalJson(value: unknown): string {
  return write(value, 0, new Set());
}

function write(v: unknown, depth: number, path: Set<object>): string {
  if (depth > MAX_DEPTH) throw new CanonicalJsonError(`nested deeper than ${MAX_DEPTH} levels`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new CanonicalJsonError(`non-finite number ${v}`);
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`${typeof v} is not JSON`);
  }
  const obj = v as object;
  if (path.has(obj)) throw new CanonicalJsonError('cycle');
  path.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item: unknown) => {
        if (item === undefined) throw new CanonicalJsonError('undefined inside an array');
        return write(item, depth + 1, path);
      }).join(',')}]`;
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(`${obj.constructor?.name ?? 'object'} is not plain JSON`);
    const keys = Object.keys(obj).filter((k) => (obj as Record<string, unknown>)[k] !== undefined);
    keys.sort(compareUtf16);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${write((obj as Record<string, unknown>)[k], depth + 1, path)}`).join(',')}}`;
  } finally {
    path.delete(obj);
  }
}

/** JCS orders keys by UTF-16 code units, which is what `<` on JS strings compares. */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
