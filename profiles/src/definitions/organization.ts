import type { CompactProfile } from './compact.js';
import { identifierSlices, mustSupport, rule } from './compact.js';
import { ID } from '../systems.js';

export const ORGANIZATION: CompactProfile = {
  id: 'cn-organization',
  type: 'Organization',
  name: 'CNOrganization',
  title: '中国医疗卫生机构 | CN Organization',
  description:
    '医疗卫生机构与科室：机构名称必填，统一社会信用代码（GB 32100，含校验码）、执业许可证登记号、机构代码与上下级关系为必须支持 | Health institution or department: a name; credit code (GB 32100, with its check character), licence number, institution code and hierarchy are must-support',
  elements: [
    ...identifierSlices('Organization.identifier', [
      { name: 'institution', system: ID.organization, short: '医疗卫生机构代码 | Health institution code' },
      {
        name: 'creditCode',
        system: ID.creditCode,
        short: '统一社会信用代码 | Unified social credit code (GB 32100)',
        valueRules: [
          rule('cn-org-1', '统一社会信用代码不符合 GB 32100（格式或校验码错误）', 'Unified social credit code does not conform to GB 32100 (format or check character)', "matches('^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$')"),
        ],
      },
      { name: 'licence', system: ID.institutionLicence, short: '医疗机构执业许可证登记号 | Institution licence number' },
    ]),
    { id: 'Organization.name', min: 1, mustSupport: true },
    ...mustSupport('Organization.type', 'Organization.partOf', 'Organization.address', 'Organization.telecom', 'Organization.active'),
  ],
};
