/**
 * The one place the CLI reads its environment. `STORE_DEBUG=1` prints the stack of an error (as
 * `--debug` does); any other value than "1", "0" or nothing is refused, so a typo is not silently off.
 */
export interface Env {
  readonly debug: boolean;
}

export function readEnv(variables: NodeJS.ProcessEnv = process.env): Env {
  const debug = variables.STORE_DEBUG;
  if (debug !== undefined && debug !== "" && debug !== "0" && debug !== "1") {
    throw new TypeError(`STORE_DEBUG must be "1" (print stacks) or "0", got ${JSON.stringify(debug.slice(0, 40))}.`);
  }
  return { debug: debug === "1" };
}
