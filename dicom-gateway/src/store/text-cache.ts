/** Texts by key with the instance count they were built at, least recently used dropped past a byte budget. */
export class TextCache {
  private readonly entries = new Map<string, { count: number; text: string }>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(key: string): { count: number; text: string } | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, count: number, text: string): void {
    const size = text.length * 2;
    if (size > this.budget / 2) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.text.length * 2;
      this.entries.delete(key);
    }
    this.entries.set(key, { count, text });
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.budget) break;
      this.entries.delete(k);
      this.bytes -= e.text.length * 2;
    }
  }
}
