// One metrics registry per running server. Components are asked for their numbers at scrape time (pull):
// each collector reads counters its component keeps anyway, so the message path pays nothing for metrics.
import { Scrape } from './exposition';

export type Collector = (scrape: Scrape) => void | Promise<void>;

export class MetricsRegistry {
  private readonly collectors = new Set<Collector>();
  private lastScrapeS = 0;
  private readonly startS = Math.floor(Date.now() / 1000);

  /** Add a collector; the returned function removes it (a service that stops). */
  register(c: Collector): () => void {
    this.collectors.add(c);
    return () => this.collectors.delete(c);
  }

  /** Ask every collector for its numbers. A collector that throws is skipped (its family is absent). */
  async collect(): Promise<Scrape> {
    const t0 = process.hrtime.bigint();
    const s = new Scrape();
    for (const c of this.collectors) {
      try {
        await c(s);
      } catch {
        // one broken component must not blank the whole scrape
      }
    }
    const mem = process.memoryUsage();
    s.add('logwarden_process_resident_memory_bytes', {}, mem.rss);
    s.add('logwarden_process_heap_used_bytes', {}, mem.heapUsed);
    s.add('logwarden_process_start_time_seconds', {}, this.startS);
    s.add('logwarden_scrape_duration_seconds', {}, this.lastScrapeS);
    this.lastScrapeS = Number(process.hrtime.bigint() - t0) / 1e9;
    return s;
  }

  async text(): Promise<string> {
    return (await this.collect()).text();
  }

  async json(): Promise<ReturnType<Scrape['json']>> {
    return (await this.collect()).json();
  }
}
