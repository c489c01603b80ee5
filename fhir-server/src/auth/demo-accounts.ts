import type { Bundle } from '@medplum/fhirtypes';
import type { RunningServer } from '../server.js';
import { fhir } from './context.js';
import { ROLES, SYSTEM_PRINCIPAL } from './principal.js';
import { ONE_TIME_DAYS, registerUser } from './registration.js';

const ROLE_NAMES: Record<(typeof ROLES)[number], string> = {
  clinician: '临床医生 Clinician',
  radiologist: '放射科医生 Radiologist',
  'ecg-reader': '心电诊断医生 ECG reader',
  'registry-analyst': '登记分析员 Registry analyst',
  administrator: '系统管理员 Administrator',
  'security-officer': '安全管理员 Security officer',
  auditor: '审计管理员 Auditor',
};

/**
 * With demo data: one demo user per role (`demo-<role>`) with a
 * one-time password printed once, so a newcomer can log in at once. The passwords must be changed
 * at first login and stop working after ONE_TIME_DAYS; a second start creates nothing and prints nothing.
 */
export async function ensureDemoAccounts(running: RunningServer): Promise<{ username: string; role: string; password: string }[]> {
  const { ctx, logger } = running;
  const origin = ctx.config.baseUrl ?? running.url;
  const base = `${origin}/fhir`;
  const orgs = await fhir(ctx, { method: 'GET', path: 'Organization', query: [['_count', '1']], baseUrl: base, principal: SYSTEM_PRINCIPAL });
  const orgId = (orgs.body as Bundle | undefined)?.entry?.[0]?.resource?.id;
  const created: { username: string; role: string; password: string }[] = [];
  for (const role of ROLES) {
    const username = `demo-${role}`;
    const result = await registerUser(ctx, base, { username, name: ROLE_NAMES[role], roles: [role], oneTimePassword: true, ...(orgId ? { organisation: `Organization/${orgId}` } : {}) });
    if (result.created && result.password) created.push({ username, role, password: result.password });
  }
  if (created.length === 0) return created;
  logger.log('warn', 'demo accounts created with one-time passwords', { users: created.map((c) => c.username), oneTimeDays: ONE_TIME_DAYS });
  if (ctx.config.logLevel === 'silent') return created;
  const lines = created.map((c) => `  ${c.username.padEnd(24)} ${c.password}`);
  process.stdout.write(
    `\n演示账户（一次性密码，首次登录须修改，${ONE_TIME_DAYS} 天后失效）| Demo accounts (one-time passwords: change at first login; they expire in ${ONE_TIME_DAYS} days)\n` +
      `${lines.join('\n')}\n  登录 | Sign in: ${origin}/viewer/\n\n`,
  );
  return created;
}
