/**
 * Coalesces calls made within `windowMs` (or until `maxSize` are waiting) into one call
 * of `run` with all their inputs; each caller gets its own output back (same index) or
 * the batch's error. Turns one database round trip per delivery into one per batch.
 */
export class Batched<In, Out> {
  private waiting: Array<{ input: In; resolve: (output: Out) => void; reject: (error: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly windowMs: number,
    private readonly maxSize: number,
  ) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length >= this.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    this.run(batch.map((entry) => entry.input)).then(
      (outputs) => batch.forEach((entry, index) => entry.resolve(outputs[index])),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }
}
