/** A value that survives JSON.stringify and JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const DEPTH_MAX = 1_000;

/**
 * Why `value` is not a JSON value (undefined, a function, a BigInt, NaN, a cycle, a class
 * instance...), with the path to the bad part; `undefined` when it is one.
 */
export function jsonValueProblem(value: unknown, path = "$", depth = 0, seen = new Set<object>()): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot hold`;
  if (typeof value !== "object") return `${path} is a ${typeof value}, which JSON cannot hold`;
  if (depth >= DEPTH_MAX) return `${path} is nested deeper than ${DEPTH_MAX} levels`;
  if (seen.has(value)) return `${path} refers back to itself (a cycle)`;
  const prototype: unknown = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && prototype !== Object.prototype && prototype !== null) return `${path} is a class instance, not a plain object`;
  seen.add(value);
  try {
    const entries: [string, unknown][] = isArray ? value.map((item: unknown, index) => [`${path}[${index}]`, item]) : Object.entries(value).map(([key, item]) => [`${path}.${key}`, item]);
    for (const [childPath, child] of entries) {
      const problem = jsonValueProblem(child, childPath, depth + 1, seen);
      if (problem !== undefined) return problem;
    }
  } finally {
    seen.delete(value);
  }
  return undefined;
}
