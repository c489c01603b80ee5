/**
 * PostgreSQL settings of the benchmarks, for a 2-core, 24 GB machine, with PostgreSQL's durable
 * defaults (fsync, synchronous_commit) left on; checkpoints are pushed out so that none falls
 * inside a measurement.
 */
export const POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '1GB',
  effective_cache_size: '16GB',
  work_mem: '16MB',
  maintenance_work_mem: '512MB',
  wal_buffers: '64MB',
  max_wal_size: '4GB',
  min_wal_size: '1GB',
  checkpoint_timeout: '30min',
  checkpoint_completion_target: '0.9',
  random_page_cost: '1.1',
};
