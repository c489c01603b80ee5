/** Distributions for the demographic parts of a synthetic patient. Weights are approximate. */

export interface Ethnicity {
  /** GB/T 3304 code. */
  readonly code: string;
  readonly name: string;
  /** Population in millions, 2020 census (rounded). */
  readonly millions: number;
}

/** The most populous groups; together with 汉族 they are over 98 % of the population. */
export const ETHNICITIES: readonly Ethnicity[] = [
  { code: '01', name: '汉族', millions: 1286.3 },
  { code: '08', name: '壮族', millions: 19.6 },
  { code: '05', name: '维吾尔族', millions: 11.8 },
  { code: '03', name: '回族', millions: 11.4 },
  { code: '06', name: '苗族', millions: 11.1 },
  { code: '11', name: '满族', millions: 10.4 },
  { code: '07', name: '彝族', millions: 9.8 },
  { code: '15', name: '土家族', millions: 9.6 },
  { code: '04', name: '藏族', millions: 7.1 },
  { code: '02', name: '蒙古族', millions: 6.3 },
  { code: '12', name: '侗族', millions: 3.5 },
  { code: '09', name: '布依族', millions: 3.6 },
  { code: '13', name: '瑶族', millions: 3.3 },
  { code: '14', name: '白族', millions: 2.1 },
  { code: '10', name: '朝鲜族', millions: 1.7 },
];

export interface AgeBand {
  readonly from: number;
  readonly to: number;
  /** Share of patients: people who see a doctor are older than the population as a whole. */
  readonly weight: number;
}

export const AGE_BANDS: readonly AgeBand[] = [
  { from: 0, to: 6, weight: 8 },
  { from: 7, to: 17, weight: 8 },
  { from: 18, to: 34, weight: 18 },
  { from: 35, to: 49, weight: 20 },
  { from: 50, to: 64, weight: 24 },
  { from: 65, to: 79, weight: 17 },
  { from: 80, to: 95, weight: 5 },
];

export interface MaritalStatus {
  /** HL7 v3 MaritalStatus code. */
  readonly code: 'S' | 'M' | 'D' | 'W';
  /** GB/T 2261.2 code, which the CN Patient profile requires. */
  readonly gb: '10' | '20' | '30' | '40';
  readonly display: string;
  readonly zh: string;
}

export const MARITAL_STATUSES: Readonly<Record<MaritalStatus['code'], MaritalStatus>> = {
  S: { code: 'S', gb: '10', display: 'Never Married', zh: '未婚' },
  M: { code: 'M', gb: '20', display: 'Married', zh: '已婚' },
  D: { code: 'D', gb: '40', display: 'Divorced', zh: '离婚' },
  W: { code: 'W', gb: '30', display: 'Widowed', zh: '丧偶' },
};

export interface MaritalByAge {
  /** Rows apply from this age up to the next row's. */
  readonly fromAge: number;
  readonly weights: Readonly<Record<MaritalStatus['code'], number>>;
}

/** Nobody under 20 is married (the legal ages are 20 for women and 22 for men). */
export const MARITAL_BY_AGE: readonly MaritalByAge[] = [
  { fromAge: 0, weights: { S: 1, M: 0, D: 0, W: 0 } },
  { fromAge: 20, weights: { S: 0.85, M: 0.15, D: 0, W: 0 } },
  { fromAge: 25, weights: { S: 0.45, M: 0.53, D: 0.02, W: 0 } },
  { fromAge: 30, weights: { S: 0.1, M: 0.84, D: 0.05, W: 0.01 } },
  { fromAge: 45, weights: { S: 0.03, M: 0.88, D: 0.05, W: 0.04 } },
  { fromAge: 65, weights: { S: 0.02, M: 0.72, D: 0.02, W: 0.24 } },
  { fromAge: 80, weights: { S: 0.02, M: 0.45, D: 0.01, W: 0.52 } },
];

/** First three digits of mobile numbers issued by China Mobile, China Unicom and China Telecom. */
export const MOBILE_PREFIXES: readonly string[] = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '147', '150', '151', '152', '153', '155',
  '156', '157', '158', '159', '166', '173', '176', '177', '178', '180', '181', '182', '183', '184', '185', '186',
  '187', '188', '189', '191', '198', '199',
];

/** Street names found in most Chinese towns, so any of them is plausible in any county. */
export const STREETS: readonly string[] = [
  '人民路', '解放路', '中山路', '建设路', '和平路', '胜利路', '新华路', '文化路', '朝阳路', '长江路',
  '友谊路', '幸福路', '光明路', '青年路', '东风路', '团结路', '健康路', '学府路', '工农路', '迎宾路',
];
