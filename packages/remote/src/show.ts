import { quote } from "@store/fs";

/** Input quoted for a TypeError message, shortened. */
export function show(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return value.toString();
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length <= 60 ? json : `${json.slice(0, 56)}...`;
  } catch {
    return Array.isArray(value) ? "an array" : "an object";
  }
}
