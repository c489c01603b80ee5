/**
 * WS/T 363 data elements the mapping tables and rules name. Codes and Chinese names as WS/T 500
 * documents carry them in `code/@code` and `@displayName`; `type` is the CDA data type the
 * standard gives the value, `codeSystem` the value set of coded ones. Codes not listed here are
 * still accepted (as generic Observations) when they have the DE format.
 */
export interface DataElement {
  zh: string;
  type: 'ST' | 'CD' | 'PQ' | 'INT' | 'TS' | 'BL' | 'REAL';
  codeSystem?: string;
}

export const DE_FORMAT = /^DE\d{2}\.\d{2}\.\d{3}\.\d{2}$/;

export const DATA_ELEMENTS: Readonly<Record<string, DataElement>> = {
  'DE04.01.119.00': { zh: '主诉', type: 'ST' },
  'DE02.10.071.00': { zh: '现病史', type: 'ST' },
  'DE02.10.099.00': { zh: '既往史', type: 'ST' },
  'DE02.10.023.00': { zh: '过敏史', type: 'ST' },
  'DE04.10.258.00': { zh: '体格检查', type: 'ST' },
  'DE05.01.024.00': { zh: '诊断代码', type: 'CD', codeSystem: '2.16.156.10011.2.3.3.11' },
  'DE05.01.025.00': { zh: '诊断名称', type: 'ST' },
  'DE06.00.093.00': { zh: '手术及操作代码', type: 'CD', codeSystem: '2.16.156.10011.2.3.3.12' },
  'DE06.00.094.00': { zh: '手术及操作名称', type: 'ST' },
  'DE08.50.022.00': { zh: '药物名称', type: 'ST' },
  'DE06.00.133.00': { zh: '药物使用频率', type: 'ST' },
  'DE06.00.135.00': { zh: '药物使用总剂量', type: 'PQ' },
  'DE04.30.018.00': { zh: '检查/检验类别', type: 'ST' },
  'DE04.30.019.00': { zh: '检查/检验项目代码', type: 'ST' },
  'DE04.30.020.00': { zh: '检查/检验项目名称', type: 'ST' },
  'DE04.30.015.00': { zh: '检查/检验定量结果', type: 'PQ' },
  'DE04.30.017.00': { zh: '检查/检验结果代码', type: 'CD' },
  'DE04.50.134.00': { zh: '标本类别', type: 'ST' },
  'DE04.50.130.00': { zh: '检查报告结果-客观所见', type: 'ST' },
  'DE04.50.131.00': { zh: '检查报告结果-主观提示', type: 'ST' },
  'DE04.10.174.00': { zh: '收缩压', type: 'PQ' },
  'DE04.10.176.00': { zh: '舒张压', type: 'PQ' },
  'DE04.10.188.00': { zh: '体重', type: 'PQ' },
  'DE04.10.167.00': { zh: '身高', type: 'PQ' },
  'DE04.50.102.00': { zh: '空腹血糖值', type: 'PQ' },
  'DE06.00.218.00': { zh: '治疗计划', type: 'ST' },
  'DE06.00.296.00': { zh: '诊疗过程描述', type: 'ST' },
  'DE06.00.179.00': { zh: '会诊意见', type: 'ST' },
  'DE06.00.287.00': { zh: '出院医嘱', type: 'ST' },
  'DE01.00.018.00': { zh: '转诊原因', type: 'ST' },
  'DE08.10.013.00': { zh: '转入医疗机构名称', type: 'ST' },
  'DE06.00.110.00': { zh: '随访日期', type: 'TS' },
};
