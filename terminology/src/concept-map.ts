import type { ConceptMap } from '@medplum/fhirtypes';

export interface MapEntry {
  /** The map's canonical URL. */
  map: string;
  fromSystem: string;
  toSystem: string;
  code: string;
  display?: string;
  equivalence: string;
}

/** Read backwards, a narrower target is a wider source and so on. */
const INVERSE: Record<string, string> = {
  wider: 'narrower', narrower: 'wider', subsumes: 'specializes', specializes: 'subsumes',
};

/** Both directions of every ConceptMap, keyed by `system|code` of the concept translated. */
export class MapIndex {
  private readonly forward = new Map<string, MapEntry[]>();
  private readonly reverse = new Map<string, MapEntry[]>();
  /** Source systems of all maps: codings in these systems are local codes that should be mapped. */
  readonly sourceSystems = new Map<string, Set<string>>();

  constructor(maps: Iterable<ConceptMap>) {
    for (const cm of maps) this.add(cm);
  }

  private add(cm: ConceptMap): void {
    const url = cm.url as string;
    for (const group of cm.group ?? []) {
      const source = group.source ?? '';
      const target = group.target ?? '';
      if (!this.sourceSystems.has(source)) this.sourceSystems.set(source, new Set());
      this.sourceSystems.get(source)?.add(target);
      for (const element of group.element ?? []) {
        if (!element.code) continue;
        for (const t of element.target ?? []) {
          const equivalence = t.equivalence ?? 'equivalent';
          if (!t.code) continue;
          push(this.forward, `${source}|${element.code}`, {
            map: url, fromSystem: source, toSystem: target, code: t.code, ...(t.display ? { display: t.display } : {}), equivalence,
          });
          if (equivalence === 'unmatched' || equivalence === 'disjoint') continue;
          push(this.reverse, `${target}|${t.code}`, {
            map: url, fromSystem: target, toSystem: source, code: element.code, ...(element.display ? { display: element.display } : {}),
            equivalence: INVERSE[equivalence] ?? equivalence,
          });
        }
      }
    }
  }

  lookup(system: string, code: string, reverse: boolean): MapEntry[] {
    return (reverse ? this.reverse : this.forward).get(`${system}|${code}`) ?? [];
  }
}

function push(index: Map<string, MapEntry[]>, key: string, entry: MapEntry): void {
  const list = index.get(key);
  if (list) list.push(entry);
  else index.set(key, [entry]);
}
