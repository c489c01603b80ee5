/**
 * The remote DICOMweb archives of other hospitals that the gateway queries and retrieves from on a
 * viewer's behalf (互认调阅代理), configured as `name@https://host/dicom-web,…`.
 */
export interface DicomwebPeer {
  /** Short name, shown in logs and warnings. */
  name: string;
  /** DICOMweb root without a trailing slash. */
  url: string;
}

/** Parses `name@url,…`; throws with a bilingual message naming the bad entry. */
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
      throw new Error(`DICOMweb 对等归档配置项无效："${entry}"，应为 名称@http(s)://主机/路径 | invalid DICOMweb peer "${entry}": expected name@http(s)://host/path`);
    }
    if (peers.some((p) => p.name === name)) throw new Error(`DICOMweb 对等归档名称重复："${name}" | duplicate DICOMweb peer name "${name}"`);
    peers.push({ name, url });
  }
  return peers;
}
