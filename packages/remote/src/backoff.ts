/**
 * The wait before reconnection attempt `attempt` (from 1), in ms: a random time between half and all
 * of `min(delayMsMax, delayMsMin * 2^(attempt-1))`. Doubling bounds the load on a server that is
 * coming back; the random half spreads the clients of one host so they do not all arrive at once.
 */
export function reconnectDelayMs(attempt: number, delayMsMin: number, delayMsMax: number, random: () => number = Math.random): number {
  const ceiling = Math.min(delayMsMax, delayMsMin * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
