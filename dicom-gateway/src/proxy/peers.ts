/**
 * The remote DICOMweb archives of other hospitals that the gateway queries and retrieves from on a
 * viewer's behalf (互认调阅代理), configured as `name@https://host/dicom-web,…`. An archive that
 * wants HTTP Basic authentication gets its user and password in the URL
 * (`name@https://user:password@host/dicom-web`, percent-encoded where they hold `@`, `:`, `/` or `,`);
 * they are sent as an Authorization header and never appear in a URL, log line or error message.
 */
export interface DicomwebPeer {
  /** Short name, shown in logs and warnings. */
  name: string;
  /** DICOMweb root without a trailing slash, without credentials. */
  url: string;
  /** The Authorization header value sent with every request to this peer. */
  authorization?: string;
}

/** Parses `name@url,…`; throws with a bilingual message naming the bad entry (its password masked). */
export function parseDicomwebPeers(text: string | undefined): DicomwebPeer[] {
  if (!text?.trim()) return [];
  const peers: DicomwebPeer[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('@');
    const name = entry.slice(0, at);
    const url = entry.slice(at + 1).replace(/\/+$/, '');
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (at < 1 || !/^[A-Za-z0-9_.-]{1,32}$/.test(name) || !parsed || !/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash) {
      const shown = masked(entry);
      throw new Error(`DICOMweb 对等归档配置项无效："${shown}"，应为 名称@http(s)://[用户:密码@]主机/路径 | invalid DICOMweb peer "${shown}": expected name@http(s)://[user:password@]host/path`);
    }
    if (peers.some((p) => p.name === name)) throw new Error(`DICOMweb 对等归档名称重复："${name}" | duplicate DICOMweb peer name "${name}"`);
    peers.push({ name, ...withoutCredentials(parsed) });
  }
  return peers;
}

function withoutCredentials(url: URL): { url: string; authorization?: string } {
  if (!url.username && !url.password) return { url: url.toString().replace(/\/+$/, '') };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.toString().replace(/\/+$/, ''), authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

/** The entry as it may be shown: whatever stands between `//` and the host's `@` replaced. */
function masked(entry: string): string {
  return entry.replace(/\/\/[^/]*@/, '//***@');
}
