/** Where a JSON text stops being valid, and why: what `JSON.parse` does not tell reliably. */
export interface JsonSyntaxProblem {
  /** UTF-16 index into the text. */
  readonly index: number;
  readonly reason: string;
}

type Step = number | JsonSyntaxProblem;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** What a number cut short can look like. */
const NUMBER_PREFIX = /^-?(?:0|[1-9]\d*)?(?:\.\d*)?(?:[eE][+-]?\d*)?$/;
const NUMBER_CHARS = /[-+0-9.eE]*/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const LITERALS = ["true", "false", "null"];

/**
 * Scans `text` as RFC 8259 JSON and returns the first problem, or `undefined` if it is valid.
 * Iterative (an explicit stack of open brackets), so a deeply nested file cannot overflow the stack.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  const open: ("{" | "[")[] = [];
  let i = 0;
  let expectValue = true;
  for (;;) {
    i = skipSpace(text, i);
    let step: Step;
    if (expectValue) {
      step = scanValue(text, i, open);
      expectValue = typeof step === "number" && step < 0; // negative: an opened container wants a value
    } else {
      step = scanAfterValue(text, i, open);
      if (step === text.length && open.length === 0) return undefined;
      expectValue = typeof step === "number" && step < 0;
    }
    if (typeof step !== "number") return step;
    i = Math.abs(step);
  }
}

/** A value at `i`. Returns the index after it, or minus the index of the first member of an opened container. */
function scanValue(text: string, i: number, open: ("{" | "[")[]): Step {
  const c = text[i];
  if (c === "{" || c === "[") {
    const next = skipSpace(text, i + 1);
    if (text[next] === (c === "{" ? "}" : "]")) return next + 1;
    open.push(c);
    if (c === "[") return -next;
    const afterKey = scanKey(text, next);
    return typeof afterKey === "number" ? -afterKey : afterKey;
  }
  if (c === '"') return scanString(text, i);
  if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
    return scanNumber(text, i);
  }
  for (const literal of LITERALS) {
    if (text.startsWith(literal, i)) return i + literal.length;
    if (i < text.length && literal.startsWith(text.slice(i))) return problem(text, text.length, "");
  }
  return problem(text, i, "expected a value");
}

function scanNumber(text: string, i: number): Step {
  NUMBER_CHARS.lastIndex = i;
  NUMBER_CHARS.test(text);
  const end = NUMBER_CHARS.lastIndex;
  const token = text.slice(i, end);
  if (NUMBER.test(token)) return end;
  if (end === text.length && NUMBER_PREFIX.test(token)) return problem(text, end, "");
  return problem(text, i, "malformed number");
}

/** After a value: end of document, a comma (then a value), or a closing bracket. */
function scanAfterValue(text: string, i: number, open: ("{" | "[")[]): Step {
  const top = open.at(-1);
  if (top === undefined) return i < text.length ? problem(text, i, "data after the end of the document") : i;
  const close = top === "{" ? "}" : "]";
  if (text[i] === ",") {
    if (top === "[") return -(i + 1);
    const afterKey = scanKey(text, skipSpace(text, i + 1));
    return typeof afterKey === "number" ? -afterKey : afterKey;
  }
  if (text[i] === close) {
    open.pop();
    return i + 1;
  }
  return problem(text, i, `expected "," or "${close}"`);
}

/** `"name" :` at `i`; returns the index after the colon. */
function scanKey(text: string, i: number): Step {
  if (text[i] !== '"') return problem(text, i, "expected a property name in double quotes");
  const end = scanString(text, i);
  if (typeof end !== "number") return end;
  const colon = skipSpace(text, end);
  return text[colon] === ":" ? colon + 1 : problem(text, colon, 'expected ":" after the property name');
}

function scanString(text: string, start: number): Step {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return problem(text, i, "raw control character inside a string");
    if (code !== 0x5c) {
      i += 1;
      continue;
    }
    const escape = text[i + 1];
    if (escape === "u") {
      HEX4.lastIndex = i + 2;
      if (!HEX4.test(text)) return problem(text, i + 6 > text.length ? text.length : i, "bad \\u escape");
      i += 6;
    } else if (escape === undefined || ESCAPES.has(escape)) {
      i += 2;
    } else {
      return problem(text, i, "bad escape in a string");
    }
  }
  return problem(text, text.length, "");
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && (text[j] === " " || text[j] === "\n" || text[j] === "\r" || text[j] === "\t")) j += 1;
  return j;
}

function problem(text: string, index: number, reason: string): JsonSyntaxProblem {
  if (index >= text.length) return { index: text.length, reason: "the document ends early (the file looks truncated)" };
  const code = text.charCodeAt(index);
  const found = code < 0x20 || code === 0x7f ? `byte 0x${code.toString(16).padStart(2, "0")}` : JSON.stringify(text[index]);
  return { index, reason: `${reason}, found ${found}` };
}
