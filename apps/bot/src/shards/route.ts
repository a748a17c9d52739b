/**
 * The shard a console user's commands go to: FNV-1a (32 bits) of the user id, modulo the count. Stable
 * across runs, so one user's commands always meet the same process (as a guild's do on Discord).
 */
export function shardFor(userId: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < userId.length; index += 1) {
    hash ^= userId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shardCount;
}
