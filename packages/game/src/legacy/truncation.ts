const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSING: Readonly<Record<number, number>> = { 0x7b: 0x7d, 0x5b: 0x5d }; // { -> }, [ -> ]

/**
 * Whether JSON text that failed to parse stops before its structure closes: an empty text, a
 * string still open at the end, or objects and arrays still open. Says how (for the report), or
 * undefined when every bracket and quote closes (the text is damaged, not cut short). A structural
 * reading rather than the parser's message, whose wording differs between engines and versions.
 * It does not validate: a stray quote in the middle can make a damaged file look cut short.
 */
export function truncation(text: string): string | undefined {
  if (text.trim().length === 0) return "it is empty";
  const open: number[] = [];
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (escaped) escaped = false;
      else if (code === BACKSLASH) escaped = true;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) inString = true;
    else if (code in CLOSING) open.push(CLOSING[code]!);
    else if (code === 0x7d || code === 0x5d) {
      // A bracket that closes nothing, or the wrong one: damage, whatever the end looks like.
      if (open.pop() !== code) return undefined;
    }
  }
  if (inString) return "it ends inside a string";
  if (open.length > 0) return `it ends with ${open.length} ${open.length === 1 ? "object or array" : "objects or arrays"} still open`;
  return undefined;
}
