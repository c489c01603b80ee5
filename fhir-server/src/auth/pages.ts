import type { Request } from 'express';
import { AUTH_PATH } from './urls.js';

/**
 * The server-rendered pages of the authorisation server: login, password change, consent with the
 * patient picker, and messages. zh-CN by default, English with `lang=en`; no scripts, no framework.
 */
export type Lang = 'zh' | 'en';
export type Text = { zh: string; en: string };

export function langOf(req: Request, form: Record<string, string> = {}): Lang {
  const asked = form.lang ?? (typeof req.query.lang === 'string' ? req.query.lang : undefined);
  return asked === 'en' ? 'en' : 'zh';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const T = {
  title: { zh: '桥 Qiao 登录', en: 'Qiao sign-in' },
  username: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  login: { zh: '登录', en: 'Sign in' },
  federated: { zh: '通过 {issuer} 登录', en: 'Sign in with {issuer}' },
  changeTitle: { zh: '修改密码', en: 'Change password' },
  changeForced: { zh: '这是一次性密码，请先设置新密码。', en: 'This is a one-time password: choose a new password first.' },
  current: { zh: '当前密码', en: 'Current password' },
  newPassword: { zh: '新密码', en: 'New password' },
  confirm: { zh: '确认新密码', en: 'Confirm new password' },
  policy: { zh: '至少 8 个字符，含小写字母、大写字母、数字、符号中的至少 3 类。', en: 'At least 8 characters from at least 3 of: lower-case, upper-case, digits, symbols.' },
  save: { zh: '保存', en: 'Save' },
  consentTitle: { zh: '授权应用访问', en: 'Authorise the app' },
  consentAsk: { zh: '应用 {client} 请求以下权限：', en: 'The app {client} asks for:' },
  approve: { zh: '同意', en: 'Allow' },
  deny: { zh: '拒绝', en: 'Deny' },
  pickPatient: { zh: '选择患者', en: 'Choose a patient' },
  search: { zh: '按姓名查找', en: 'Find by name' },
  find: { zh: '查找', en: 'Find' },
  noPatients: { zh: '没有可选的患者', en: 'No patients to choose from' },
  signedInAs: { zh: '已登录：{user}', en: 'Signed in as {user}' },
  logout: { zh: '退出登录', en: 'Sign out' },
  other: { zh: 'English', en: '中文' },
} satisfies Record<string, Text>;

export function t(key: keyof typeof T, lang: Lang, params: Record<string, string> = {}): string {
  return T[key][lang].replace(/\{(\w+)\}/g, (_, name: string) => escapeHtml(params[name] ?? ''));
}

function layout(lang: Lang, title: string, body: string, switchPath: string): string {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const sep = switchPath.includes('?') ? '&' : '?';
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password],input[type=search]{width:100%;padding:.4rem;box-sizing:border-box}
button{margin:.8rem .5rem 0 0;padding:.4rem 1rem}.error{color:#a00;border:1px solid #a00;padding:.5rem}.note{color:#555}
ul.patients{list-style:none;padding:0}ul.patients li{margin:.3rem 0}nav{text-align:right}</style></head>
<body><nav><a href="${escapeHtml(`${switchPath}${sep}lang=${other}`)}" hreflang="${other}">${T.other[lang]}</a></nav>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
const errorBlock = (error: Text | undefined, lang: Lang) => (error ? `<p class="error" role="alert">${escapeHtml(error[lang])}</p>` : '');

/** `federated`: the trusted external issuer, offered as a second way to sign in. */
export function loginPage(o: { lang: Lang; csrf: string; error?: Text; username?: string; federated?: string }): string {
  const federated = o.federated
    ? `<p><a id="oidc" href="${AUTH_PATH}/oidc/start?lang=${o.lang}">${t('federated', o.lang, { issuer: new URL(o.federated).host })}</a></p>`
    : '';
  return layout(
    o.lang,
    t('title', o.lang),
    `${errorBlock(o.error, o.lang)}
<form method="post" action="${AUTH_PATH}/login">${hidden('csrf', o.csrf)}${hidden('lang', o.lang)}
<label for="username">${t('username', o.lang)}</label><input type="text" id="username" name="username" autocomplete="username" required value="${escapeHtml(o.username ?? '')}">
<label for="password">${t('password', o.lang)}</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" id="login">${t('login', o.lang)}</button></form>${federated}`,
    `${AUTH_PATH}/login`,
  );
}

export function passwordPage(o: { lang: Lang; csrf: string; forced: boolean; error?: Text }): string {
  return layout(
    o.lang,
    t('changeTitle', o.lang),
    `${o.forced ? `<p class="note">${t('changeForced', o.lang)}</p>` : ''}${errorBlock(o.error, o.lang)}
<form method="post" action="${AUTH_PATH}/password">${hidden('csrf', o.csrf)}${hidden('lang', o.lang)}
<label for="current">${t('current', o.lang)}</label><input type="password" id="current" name="current" autocomplete="current-password" required>
<label for="new">${t('newPassword', o.lang)}</label><input type="password" id="new" name="new" autocomplete="new-password" required>
<label for="confirm">${t('confirm', o.lang)}</label><input type="password" id="confirm" name="confirm" autocomplete="new-password" required>
<p class="note">${t('policy', o.lang)}</p>
<button type="submit" id="save">${t('save', o.lang)}</button></form>`,
    `${AUTH_PATH}/password`,
  );
}

export interface PatientChoice {
  id: string;
  label: string;
}

/**
 * Consent: the scopes asked for, and — for a standalone launch that needs a patient — the picker:
 * each patient is its own submit button carrying `data-patient-id`, so choosing one also allows.
 */
export function consentPage(o: { lang: Lang; csrf: string; client: string; scopes: string[]; patients?: PatientChoice[]; search?: string; error?: Text }): string {
  const scopes = `<ul class="scopes">${o.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>`;
  const picker =
    o.patients === undefined
      ? `<button type="submit" name="decision" value="allow" id="allow">${t('approve', o.lang)}</button>`
      : `<h2>${t('pickPatient', o.lang)}</h2>${
          o.patients.length === 0
            ? `<p class="note">${t('noPatients', o.lang)}</p>`
            : `<ul class="patients">${o.patients
                .map((p) => `<li><button type="submit" name="patient" value="${escapeHtml(p.id)}" data-patient-id="${escapeHtml(p.id)}">${escapeHtml(p.label)}</button></li>`)
                .join('')}</ul>`
        }`;
  const search =
    o.patients === undefined
      ? ''
      : `<form method="get" action="${AUTH_PATH}/consent">${hidden('lang', o.lang)}<label for="q">${t('search', o.lang)}</label>
<input type="search" id="q" name="q" value="${escapeHtml(o.search ?? '')}"><button type="submit">${t('find', o.lang)}</button></form>`;
  return layout(
    o.lang,
    t('consentTitle', o.lang),
    `${errorBlock(o.error, o.lang)}<p>${t('consentAsk', o.lang, { client: o.client })}</p>${scopes}${search}
<form method="post" action="${AUTH_PATH}/consent">${hidden('csrf', o.csrf)}${hidden('lang', o.lang)}
${picker}
<button type="submit" name="decision" value="deny" id="deny">${t('deny', o.lang)}</button></form>`,
    `${AUTH_PATH}/consent`,
  );
}

export function messagePage(o: { lang: Lang; title: Text; text: Text; csrf?: string; username?: string }): string {
  const account =
    o.username && o.csrf
      ? `<p>${t('signedInAs', o.lang, { user: o.username })}</p>
<p><a href="${AUTH_PATH}/password?lang=${o.lang}">${t('changeTitle', o.lang)}</a></p>
<form method="post" action="${AUTH_PATH}/logout">${hidden('csrf', o.csrf)}${hidden('lang', o.lang)}<button type="submit" id="logout">${t('logout', o.lang)}</button></form>`
      : '';
  return layout(o.lang, o.title[o.lang], `<p>${escapeHtml(o.text[o.lang])}</p>${account}`, `${AUTH_PATH}/login`);
}
