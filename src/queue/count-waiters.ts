// Promises that resolve once a count reaches the target each was made with: ActionQueue.settle() (messages
// finished, spills handed to the disk part) and DiskQueue.whenWritten() (write jobs done).

export class CountWaiters {
  private list: Array<{ target: number; resolve: () => void }> = [];

  /** Resolves once reached(count) is called with count ≥ target (or releaseAll()). */
  wait(target: number): Promise<void> {
    return new Promise((resolve) => this.list.push({ target, resolve }));
  }

  /** The count is now `count`: resolve every waiter whose target it reached. */
  reached(count: number): void {
    if (this.list.length === 0) return;
    const keep: typeof this.list = [];
    for (const w of this.list) (w.target <= count ? w.resolve() : keep.push(w));
    this.list = keep;
  }

  /** Resolve every waiter (the queue closes: what is still short is counted elsewhere). */
  releaseAll(): void {
    for (const w of this.list.splice(0)) w.resolve();
  }
}
