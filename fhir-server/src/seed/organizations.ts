/**
 * The care providers of the demo region: one county or district hospital and one primary care
 * centre in each of five cities. Patients live in the township of their primary care centre, which
 * keeps their health record (managingOrganization) and sees most of their outpatient visits.
 * The names follow the usual naming of such institutions; their identifiers are synthetic.
 */
export interface OrganizationRow {
  readonly name: string;
  readonly kind: 'hospital' | 'primary';
  /** Shown as Organization.type.text. */
  readonly typeText: string;
  readonly division: string;
  /** Township (乡镇/街道) served by a primary care centre, with its 3-digit statistical code. */
  readonly township?: { readonly name: string; readonly code: string };
  readonly doctors: number;
  /** Doctors at township health centres are often licensed assistant physicians (执业助理医师). */
  readonly licence: 'MD' | 'PA';
}

export const ORGANIZATIONS: readonly OrganizationRow[] = [
  { name: '南昌县人民医院', kind: 'hospital', typeText: '综合医院', division: '360121', doctors: 3, licence: 'MD' },
  { name: '南昌县向塘镇卫生院', kind: 'primary', typeText: '乡镇卫生院', division: '360121', township: { name: '向塘镇', code: '101' }, doctors: 1, licence: 'PA' },
  { name: '南京市江宁区人民医院', kind: 'hospital', typeText: '综合医院', division: '320115', doctors: 3, licence: 'MD' },
  { name: '江宁区淳化街道社区卫生服务中心', kind: 'primary', typeText: '社区卫生服务中心', division: '320115', township: { name: '淳化街道', code: '004' }, doctors: 1, licence: 'MD' },
  { name: '北京市昌平区医院', kind: 'hospital', typeText: '综合医院', division: '110114', doctors: 3, licence: 'MD' },
  { name: '昌平区回龙观社区卫生服务中心', kind: 'primary', typeText: '社区卫生服务中心', division: '110114', township: { name: '回龙观街道', code: '011' }, doctors: 1, licence: 'MD' },
  { name: '德清县人民医院', kind: 'hospital', typeText: '综合医院', division: '330521', doctors: 3, licence: 'MD' },
  { name: '德清县新市镇卫生院', kind: 'primary', typeText: '乡镇卫生院', division: '330521', township: { name: '新市镇', code: '102' }, doctors: 1, licence: 'PA' },
  { name: '广州市番禺区中心医院', kind: 'hospital', typeText: '综合医院', division: '440113', doctors: 3, licence: 'MD' },
  { name: '番禺区市桥街社区卫生服务中心', kind: 'primary', typeText: '社区卫生服务中心', division: '440113', township: { name: '市桥街道', code: '007' }, doctors: 1, licence: 'MD' },
];
