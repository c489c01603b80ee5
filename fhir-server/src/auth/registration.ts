import type { Practitioner } from '@medplum/fhirtypes';
import type { JSONWebKeySet } from 'jose';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';
import { createUser, isRole, setUserFhirUser, type Client, type ClientType } from './accounts.js';
import { fhir } from './context.js';
import { hashPassword, oneTimePassword, passwordWeakness } from './passwords.js';
import { SYSTEM_PRINCIPAL, type Role } from './principal.js';
import { parseScopes } from './scopes.js';

/**
 * Clients and users as the bootstrap file and the admin API describe them, checked once for both.
 * Errors are bilingual and name the member at fault.
 */
export class RegistrationError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
    this.name = 'RegistrationError';
  }
}

const fail = (zh: string, en: string): never => {
  throw new RegistrationError(zh, en);
};

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
/** Identifier system of the Practitioner that stands for a user account (its `fhirUser`). */
export const USERNAME_SYSTEM = 'https://qiao.health/fhir/sid/username';
/** How long a one-time password (bootstrap, demo, reset) stays usable. */
export const ONE_TIME_DAYS = 7;

function roles(value: unknown, where: string): Role[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isRole)) return fail(`${where}.roles 必须是角色数组`, `${where}.roles must be an array of roles (clinician, radiologist, ecg-reader, registry-analyst, administrator, security-officer, auditor)`);
  return value;
}

function optionalString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') return fail(`${where}.${key} 必须是非空字符串`, `${where}.${key} must be a non-empty string`);
  return v;
}

function reference(value: string | undefined, type: string, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (!new RegExp(`^${type}/[A-Za-z0-9.-]{1,64}$`).test(value)) return fail(`${where} 必须是 ${type}/id`, `${where} must be ${type}/id`);
  return value;
}

/** A client from JSON (`secret` in clear; hashed here). */
export async function clientFromJson(value: unknown, where: string): Promise<Client> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${where} 必须是对象`, `${where} must be an object`);
  const o = value as Record<string, unknown>;
  const clientId = optionalString(o, 'clientId', where);
  if (!clientId || !NAME.test(clientId)) return fail(`${where}.clientId 必须是 1–64 个字母、数字或 ._@-`, `${where}.clientId must be 1-64 letters, digits or ._@-`);
  const type = o.type as ClientType;
  if (!['backend', 'public', 'confidential'].includes(type)) return fail(`${where}.type 必须是 backend、public 或 confidential`, `${where}.type must be backend, public or confidential`);
  const scopes = typeof o.scopes === 'string' ? o.scopes.trim() : fail(`${where}.scopes 必须是以空格分隔的字符串`, `${where}.scopes must be a space-separated string`);
  const invalid = parseScopes(scopes).invalid;
  if (invalid.length) fail(`${where}.scopes 含无法识别的权限范围：${invalid.join(' ')}`, `${where}.scopes has unrecognised scopes: ${invalid.join(' ')}`);
  let jwks: JSONWebKeySet | undefined;
  let jwksUrl = optionalString(o, 'jwksUrl', where) ?? optionalString(o, 'jwks_uri', where);
  if (typeof o.jwks === 'string') jwksUrl = o.jwks;
  else if (o.jwks !== undefined) {
    const keys = (o.jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null && typeof (k as { kty?: unknown }).kty === 'string')) {
      fail(`${where}.jwks 必须是 JWK Set（{"keys":[…]}）或其 URL`, `${where}.jwks must be a JWK Set ({"keys":[…]}) or its URL`);
    }
    jwks = { keys: keys as JSONWebKeySet['keys'] };
  }
  if (jwksUrl !== undefined && !/^https?:\/\//.test(jwksUrl)) fail(`${where}.jwks 的 URL 必须是 http(s)`, `${where}.jwks URL must be http(s)`);
  const secret = optionalString(o, 'secret', where);
  if (type === 'backend' && !jwks && !jwksUrl) fail(`${where}：backend 客户端需要 jwks（值或 URL）`, `${where}: a backend client needs jwks (by value or URL)`);
  if (type === 'confidential' && !secret && !jwks && !jwksUrl) fail(`${where}：confidential 客户端需要 secret 或 jwks`, `${where}: a confidential client needs a secret or jwks`);
  if (type === 'public' && secret) fail(`${where}：public 客户端不能有 secret`, `${where}: a public client cannot have a secret`);
  if (secret !== undefined && secret.length < 16) fail(`${where}.secret 至少 16 个字符`, `${where}.secret needs at least 16 characters`);
  const redirectUris = o.redirectUris === undefined ? [] : o.redirectUris;
  if (!Array.isArray(redirectUris) || !redirectUris.every((u) => typeof u === 'string' && /^https?:\/\/[^#]+$/.test(u))) {
    fail(`${where}.redirectUris 必须是不含片段的 http(s) 地址数组`, `${where}.redirectUris must be an array of http(s) URLs without fragments`);
  }
  if (type !== 'backend' && (redirectUris as string[]).length === 0) fail(`${where}：需要至少一个 redirectUris`, `${where}: at least one redirectUris entry is needed`);
  const name = optionalString(o, 'name', where);
  const organisation = reference(optionalString(o, 'organisation', where) ?? optionalString(o, 'organization', where), 'Organization', `${where}.organisation`);
  return {
    clientId,
    type,
    ...(name ? { name } : {}),
    ...(secret ? { secretHash: await hashPassword(secret) } : {}),
    ...(jwks ? { jwks } : {}),
    ...(jwksUrl ? { jwksUrl } : {}),
    redirectUris: redirectUris as string[],
    scopes,
    roles: roles(o.roles, where),
    ...(organisation ? { organisation } : {}),
    enabled: o.enabled !== false,
  };
}

export interface UserInput {
  username: string;
  name: string;
  password?: string;
  roles: Role[];
  organisation?: string;
  /** False only for test and service accounts whose password the operator manages; default true. */
  oneTimePassword: boolean;
}

export function userFromJson(value: unknown, where: string): UserInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${where} 必须是对象`, `${where} must be an object`);
  const o = value as Record<string, unknown>;
  const username = optionalString(o, 'username', where);
  if (!username || !NAME.test(username)) return fail(`${where}.username 必须是 1–64 个字母、数字或 ._@-`, `${where}.username must be 1-64 letters, digits or ._@-`);
  const password = optionalString(o, 'password', where);
  const weakness = password === undefined ? undefined : passwordWeakness(password);
  if (weakness) fail(`${where}.password：${weakness.zh}`, `${where}.password: ${weakness.en}`);
  const organisation = reference(optionalString(o, 'organisation', where) ?? optionalString(o, 'organization', where), 'Organization', `${where}.organisation`);
  return {
    username,
    name: optionalString(o, 'name', where) ?? username,
    ...(password ? { password } : {}),
    roles: roles(o.roles, where),
    ...(organisation ? { organisation } : {}),
    oneTimePassword: o.oneTimePassword !== false,
  };
}

/**
 * Creates the account unless it exists, with its Practitioner (the user's `fhirUser`, found again by
 * the username identifier, so a second start reuses it). Returns the password when one was
 * generated (a one-time password the operator must hand over); `created` is false when the user existed.
 */
export async function registerUser(
  ctx: Context,
  baseUrl: string,
  input: UserInput,
  /** Records the account's creation in its transaction (the admin API: both commit or neither). */
  recordIn?: (q: Queryable) => Promise<void>,
): Promise<{ created: boolean; password?: string; fhirUser?: string }> {
  const password = input.password ?? oneTimePassword();
  const account = {
    username: input.username,
    name: input.name,
    passwordHash: await hashPassword(password),
    roles: input.roles,
    ...(input.organisation ? { organisation: input.organisation } : {}),
    ...(input.oneTimePassword ? { oneTimeUntil: new Date(Date.now() + ONE_TIME_DAYS * 86400_000) } : {}),
  };
  const created = await ctx.db.transaction(async (q) => {
    const inserted = await createUser(q, account);
    if (inserted && recordIn) await recordIn(q);
    return inserted;
  });
  if (!created) return { created };
  const practitioner: Practitioner = { resourceType: 'Practitioner', active: true, identifier: [{ system: USERNAME_SYSTEM, value: input.username }], name: [{ text: input.name }] };
  const reply = await fhir(ctx, {
    method: 'POST',
    path: 'Practitioner',
    body: practitioner,
    ifNoneExist: `identifier=${encodeURIComponent(`${USERNAME_SYSTEM}|${input.username}`)}`,
    baseUrl,
    principal: SYSTEM_PRINCIPAL,
  });
  const id = reply.body?.id;
  const fhirUser = id ? `Practitioner/${id}` : undefined;
  if (fhirUser) await setUserFhirUser(ctx.db, input.username, fhirUser);
  return { created, ...(input.password ? {} : { password }), ...(fhirUser ? { fhirUser } : {}) };
}
