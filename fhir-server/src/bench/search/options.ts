/** Command line of `npm run bench:search [-- options]`. */
import path from 'node:path';
import { commandLine, profileArgs, whole } from '../options.js';
import { script } from '../processes.js';
import { SUITE } from './queries.js';

const USAGE = `usage: npm run bench:search [-- --patients N] [--resources N] [--requests N] [--seconds S] [--only NAME,…] [--quick] [--reload] [--statements] [--profile]
  --patients N   patients in the dataset (default 10000)
  --resources N  resources to aim for; each patient gets proportionally more visits (default 1000000)
  --requests N   requests per query with one client (default 100)
  --seconds S    length of the 100-client mix (default 60); 0 skips the mix
  --only NAME,…  time only these queries of the suite (names as in the report), e.g. --only observation-code-value,report-code-date
  --quick        a smoke run: 500 patients, about 50,000 resources, 20 requests per query, a 5 s mix
  --reload       load the dataset again even when data/bench-search/ holds it
  --statements   also report what PostgreSQL executed during the mix (pg_stat_statements)
  --profile      write a CPU profile of the Qiao process to .bench/profiles/ (node --cpu-prof)`;

export interface SearchBenchOptions {
  patients: number;
  resources: number;
  /** Requests per query in the one-client phase. */
  requests: number;
  /** 0: no 100-client mix. */
  durationMs: number;
  warmupMs: number;
  /** The names of the queries to run; undefined for the whole suite. */
  only: string[] | undefined;
  reload: boolean;
  /** Report PostgreSQL's statement statistics of the mix. */
  statements: boolean;
  /** Node options of the Qiao under test (a CPU profile with `--profile`). */
  qiaoNodeArgs: string[];
  /** Repository root: data/bench-search/ is there. */
  root: string;
}

export function parseSearchOptions(argv: string[]): SearchBenchOptions {
  const flags = {
    patients: { type: 'string' },
    resources: { type: 'string' },
    requests: { type: 'string' },
    seconds: { type: 'string' },
    only: { type: 'string' },
    reload: { type: 'boolean', default: false },
    statements: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  } as const;
  return commandLine(argv, USAGE, flags, (values) => {
    const quick = values.quick;
    const root = path.resolve(script('.'), '../..');
    const patients = whole('patients', values.patients, quick ? 500 : 10_000);
    const resources = whole('resources', values.resources, quick ? 50_000 : 1_000_000);
    // Every patient is at least a Patient and one visit's Encounter and Condition.
    if (resources < patients * 3) throw new RangeError(`--resources must be at least 3 per patient (${patients * 3}), got ${resources}`);
    return {
      patients,
      resources,
      requests: whole('requests', values.requests, quick ? 20 : 100),
      durationMs: (values.seconds === '0' ? 0 : whole('seconds', values.seconds, quick ? 5 : 60)) * 1000,
      warmupMs: quick ? 2000 : 10_000,
      only: values.only === undefined ? undefined : queryNames(values.only),
      reload: values.reload,
      statements: values.statements,
      qiaoNodeArgs: profileArgs(root, values.profile),
      root,
    };
  });
}

function queryNames(list: string): string[] {
  const known = new Set(SUITE.map((q) => q.name));
  const names = list.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.filter((n) => !known.has(n));
  if (names.length === 0 || unknown.length > 0) throw new RangeError(`--only takes names of the suite's queries (${[...known].join(', ')}); got "${list}"`);
  return names;
}
