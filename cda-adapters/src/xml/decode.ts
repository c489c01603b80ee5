import { CdaError } from '../issues.js';

/** Encodings a Chinese CDA document may declare, as WHATWG TextDecoder labels. */
const SUPPORTED = new Map<string, string>([
  ['utf-8', 'utf-8'],
  ['utf8', 'utf-8'],
  ['gb18030', 'gb18030'],
  ['gbk', 'gbk'],
  ['gb2312', 'gbk'],
  ['utf-16', 'utf-16le'],
  ['utf-16le', 'utf-16le'],
  ['utf-16be', 'utf-16be'],
]);

/**
 * The document's text, decoded as its BOM or XML declaration says (UTF-8 when neither does, as
 * XML 1.0 §4.3.3 requires). Decoding is fatal: bytes invalid in the declared encoding are an
 * error rather than silently replaced characters in a medical record.
 */
export function decodeDocument(bytes: Uint8Array): string {
  const { label, skip } = detectEncoding(bytes);
  try {
    return new TextDecoder(label, { fatal: true }).decode(skip ? bytes.subarray(skip) : bytes);
  } catch {
    throw new CdaError([
      {
        severity: 'fatal',
        code: 'structure',
        id: 'CDA-XML-002',
        zh: `文档字节不是有效的 ${label} 编码`,
        en: `the document's bytes are not valid ${label}`,
        expression: '/',
      },
    ]);
  }
}

function detectEncoding(bytes: Uint8Array): { label: string; skip: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { label: 'utf-8', skip: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { label: 'utf-16le', skip: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { label: 'utf-16be', skip: 2 };
  // The declaration is ASCII in every encoding this function accepts without a BOM.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 256)).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (!declared) return { label: 'utf-8', skip: 0 };
  const label = SUPPORTED.get(declared.toLowerCase());
  if (!label) {
    throw new CdaError([
      {
        severity: 'fatal',
        code: 'not-supported',
        id: 'CDA-XML-001',
        zh: `不支持的字符编码 ${declared}（支持 UTF-8、GB18030、GBK）`,
        en: `unsupported encoding ${declared} (UTF-8, GB18030 and GBK are supported)`,
        expression: '/',
      },
    ]);
  }
  return { label, skip: 0 };
}
