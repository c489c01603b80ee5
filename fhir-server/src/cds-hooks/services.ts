/** The CDS services this server offers (CDS Hooks discovery). */
export interface CdsService {
  id: string;
  hook: 'order-select' | 'order-sign';
  title: string;
  description: string;
  prefetch: Record<string, string>;
}

const PREFETCH = { patient: 'Patient/{{context.patientId}}' };

export const CDS_SERVICES: readonly CdsService[] = [
  {
    id: 'duplicate-order-select',
    hook: 'order-select',
    title: '重复检查/检验/用药提醒（选择医嘱时） | Duplicate order reminder (order-select)',
    description: '患者在任一联网机构的时间窗内已做过同一检验、检查或已开同一药品时提醒，并给出此前的结果 | Warns when the patient already had the same lab test, exam or drug at any networked institution within its window, citing the earlier result',
    prefetch: PREFETCH,
  },
  {
    id: 'duplicate-order-sign',
    hook: 'order-sign',
    title: '重复检查/检验/用药提醒（签署医嘱时） | Duplicate order reminder (order-sign)',
    description: '签署医嘱前对全部待签医嘱检查重复 | Checks every draft order for duplicates before signing',
    prefetch: PREFETCH,
  },
];
