/** "3h 12m", "4m 10s", "12s": a duration for people, the two largest units. */
export function formatDuration(ms: number): string {
  // Rounded down (23h 59m, not 1d, a moment after a daily claim), but never "0s" for time still to wait.
  const seconds = ms <= 0 ? 0 : Math.max(1, Math.floor(ms / 1000));
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of units) {
    if (rest >= size || (parts.length === 0 && size === 1)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** 1234567 -> "1,234,567". */
export function formatTokens(amount: number): string {
  return amount.toLocaleString("en-US");
}

/** "1 token", "5 tokens". */
export function tokens(amount: number): string {
  return `${formatTokens(amount)} ${amount === 1 ? "token" : "tokens"}`;
}
