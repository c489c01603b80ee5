import type { Request, Response } from 'express';
import { findUser, recordFailure, recordSuccess, setPassword, LOCKOUT_MINUTES } from './accounts.js';
import { page, paramsOf } from './authorize.js';
import type { AuthServer } from './context.js';
import { langOf, loginPage, messagePage, passwordPage, type Lang } from './pages.js';
import { hashPassword, passwordWeakness, UNUSABLE_HASH, verifyPassword } from './passwords.js';
import { auditedChange, recordAuthEvent } from './security-events.js';
import { csrfMatches, currentSession, endSession, ensureSession, loginSession, type Session } from './sessions.js';
import { AUTH_PATH } from './urls.js';

export async function loginForm(server: AuthServer, req: Request, res: Response): Promise<void> {
  const session = await ensureSession(server.ctx.db, req, res);
  page(res, 200, loginPage({ lang: langOf(req), csrf: session.csrf, ...federated(server) }));
}

const federated = (server: AuthServer) => (server.ctx.config.oidc ? { federated: server.ctx.config.oidc.issuer } : {});

const BAD_CREDENTIALS = { zh: '用户名或密码错误', en: 'Wrong user name or password' };

/** Where a logged-in session goes next: password change, consent, or the account page. */
function next(res: Response, session: Session, mustChange: boolean, lang: Lang): void {
  res.redirect(303, `${AUTH_PATH}/${mustChange ? 'password' : session.request ? 'consent' : 'account'}?lang=${lang}`);
}

const lockoutEvent = (username: string) =>
  ({ kind: 'lockout', outcome: 'success', username, detail: `连续失败 5 次，锁定 ${LOCKOUT_MINUTES} 分钟 | 5 failures in a row, locked for ${LOCKOUT_MINUTES} minutes` }) as const;

export async function loginSubmit(server: AuthServer, req: Request, res: Response): Promise<void> {
  const db = server.ctx.db;
  const form = paramsOf(req);
  const lang = langOf(req, form);
  const session = await ensureSession(db, req, res);
  const username = (form.username ?? '').trim();
  const again = (status: number, error: { zh: string; en: string }) => page(res, status, loginPage({ lang, csrf: session.csrf, error, username, ...federated(server) }));
  if (!csrfMatches(session, form.csrf)) return again(400, { zh: '登录表单已过期，请重新输入', en: 'The sign-in form has expired; enter your details again' });
  const user = username ? await findUser(db, username) : undefined;
  if (user?.lockedUntil && user.lockedUntil > new Date()) {
    await recordAuthEvent(server, req, res, { kind: 'login', outcome: 'failure', username, detail: '账户已锁定 | account locked' });
    return again(403, { zh: `登录失败次数过多，账户已锁定 ${LOCKOUT_MINUTES} 分钟`, en: `Too many failed sign-ins: the account is locked for ${LOCKOUT_MINUTES} minutes` });
  }
  const ok = await verifyPassword(form.password ?? '', user?.passwordHash ?? UNUSABLE_HASH);
  if (!user || !ok || !user.enabled) {
    const failed = { kind: 'login', outcome: 'failure', username, detail: !user ? '未知用户 | unknown user' : !ok ? '密码错误 | wrong password' : '账户已停用 | account disabled' } as const;
    // A wrong password counts against the account (and may lock it): the count and its records commit together.
    if (user && !ok) await auditedChange(server, req, res, (q) => recordFailure(q, user.username), (r) => [failed, ...(r.locked ? [lockoutEvent(username)] : [])]);
    else await recordAuthEvent(server, req, res, failed);
    return again(401, BAD_CREDENTIALS);
  }
  if (user.mustChangePassword && user.passwordExpiresAt && user.passwordExpiresAt <= new Date()) {
    await recordAuthEvent(server, req, res, { kind: 'login', outcome: 'failure', username, detail: '一次性密码已过期 | one-time password expired' });
    return again(401, { zh: '一次性密码已过期，请联系管理员重置', en: 'The one-time password has expired; ask an administrator to reset it' });
  }
  await auditedChange(server, req, res, (q) => recordSuccess(q, user.username), () => [{ kind: 'login', outcome: 'success', username: user.username }]);
  const fresh = await loginSession(db, req, res, session, user.username);
  next(res, fresh, user.mustChangePassword, lang);
}

async function loggedIn(server: AuthServer, req: Request, res: Response, lang: Lang) {
  const session = await currentSession(server.ctx.db, req);
  const user = session?.username ? await findUser(server.ctx.db, session.username) : undefined;
  if (!session || !user?.enabled) {
    res.redirect(303, `${AUTH_PATH}/login?lang=${lang}`);
    return undefined;
  }
  return { session, user };
}

export async function passwordForm(server: AuthServer, req: Request, res: Response): Promise<void> {
  const lang = langOf(req);
  const state = await loggedIn(server, req, res, lang);
  if (state) page(res, 200, passwordPage({ lang, csrf: state.session.csrf, forced: state.user.mustChangePassword }));
}

export async function passwordSubmit(server: AuthServer, req: Request, res: Response): Promise<void> {
  const form = paramsOf(req);
  const lang = langOf(req, form);
  const state = await loggedIn(server, req, res, lang);
  if (!state) return;
  const { session, user } = state;
  const again = (error: { zh: string; en: string }) => page(res, 400, passwordPage({ lang, csrf: session.csrf, forced: user.mustChangePassword, error }));
  if (!csrfMatches(session, form.csrf)) return again({ zh: '表单已过期，请重试', en: 'The form has expired; try again' });
  if (!(await verifyPassword(form.current ?? '', user.passwordHash))) {
    const wrong = { kind: 'password-change', outcome: 'failure', username: user.username, detail: '当前密码错误 | wrong current password' } as const;
    await auditedChange(server, req, res, (q) => recordFailure(q, user.username), (r) => [wrong, ...(r.locked ? [lockoutEvent(user.username)] : [])]);
    return again({ zh: '当前密码错误', en: 'The current password is wrong' });
  }
  const fresh = form.new ?? '';
  if (fresh !== form.confirm) return again({ zh: '两次输入的新密码不一致', en: 'The new passwords differ' });
  const weakness = passwordWeakness(fresh);
  if (weakness) return again(weakness);
  if (fresh === form.current) return again({ zh: '新密码不能与当前密码相同', en: 'The new password must differ from the current one' });
  const hash = await hashPassword(fresh);
  await auditedChange(server, req, res, (q) => setPassword(q, user.username, hash), () => [{ kind: 'password-change', outcome: 'success', username: user.username }]);
  next(res, session, false, lang);
}

export async function accountPage(server: AuthServer, req: Request, res: Response): Promise<void> {
  const lang = langOf(req);
  const state = await loggedIn(server, req, res, lang);
  if (state) page(res, 200, messagePage({ lang, title: { zh: '账户', en: 'Account' }, text: { zh: '您已登录。', en: 'You are signed in.' }, csrf: state.session.csrf, username: state.user.username }));
}

export async function logout(server: AuthServer, req: Request, res: Response): Promise<void> {
  const form = paramsOf(req);
  const lang = langOf(req, form);
  const session = await currentSession(server.ctx.db, req);
  if (session && csrfMatches(session, form.csrf)) {
    await endSession(server.ctx.db, req, res, session);
    await recordAuthEvent(server, req, res, { kind: 'logout', outcome: 'success', ...(session.username ? { username: session.username } : {}) });
  }
  page(res, 200, messagePage({ lang, title: { zh: '已退出登录', en: 'Signed out' }, text: { zh: '您已退出登录。', en: 'You have signed out.' } }));
}
