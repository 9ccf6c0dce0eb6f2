// Store numbers at scrape time: rows, bytes and partitions (the writer's stats, one small query per scrape).
import type { StoreBackend } from '../store/backend';
import type { Scrape } from './exposition';

export function storeCollector(backend: Pick<StoreBackend, 'stats'>): (s: Scrape) => Promise<void> {
  return async (s) => {
    const st = await backend.stats();
    s.add('logwarden_store_rows', {}, st.rows);
    s.add('logwarden_store_bytes', {}, st.bytes);
    s.add('logwarden_store_partitions', {}, st.partitions.length);
    s.add('logwarden_store_inserted_total', {}, st.inserted);
  };
}
