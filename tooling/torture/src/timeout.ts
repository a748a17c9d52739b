/** Rejects if `promise` has not settled within `budgetMs`: a reader that never answers is a hang. */
export async function withTimeout<T>(promise: Promise<T>, budgetMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not finish within ${budgetMs} ms (a hang)`));
    }, budgetMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
