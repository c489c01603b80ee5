import { isIP } from 'node:net';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a rest-hook may post to `endpoint` under `QIAO_SUBSCRIPTION_ENDPOINTS`: `loopback`
 * (the default) admits http(s) to this machine (localhost, 127.0.0.0/8, ::1); an entry that is a
 * URL admits endpoints beginning with it (`https://his.example.cn/hooks/`); `*` admits every
 * http(s) URL. The server posts patient data there, so the list is the operator's decision: a
 * Subscription cannot make the server call arbitrary hosts of the internal network.
 */
export function endpointAllowed(endpoint: string, allowList: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  const normalised = url.href;
  return allowList.some((entry) => {
    if (entry === '*') return true;
    if (entry === 'loopback') return isLoopback(url.hostname);
    try {
      const prefix = new URL(entry).href;
      return normalised.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`) || normalised === prefix;
    } catch {
      return false;
    }
  });
}

function isLoopback(hostname: string): boolean {
  if (LOOPBACK_HOSTS.has(hostname)) return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}
