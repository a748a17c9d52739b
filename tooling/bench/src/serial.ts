/** Runs tasks one at a time in call order: a mutex for adapters whose design has no concurrency. */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // A failed task must not poison the tasks queued after it; its caller sees the rejection.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
