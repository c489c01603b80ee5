/**
 * Proxy-mode configuration, and a peer that cannot be reached: the answer says so instead of failing
 * (the archive itself is exercised with Orthanc in fhir-server/test/dicom/proxy.test.ts).
 */
import net from 'node:net';
import { parseDicomwebPeers } from '../../src/proxy/peers.js';
import { DicomwebProxy } from '../../src/proxy/proxy.js';

describe('parseDicomwebPeers', () => {
  it('reads name@url lists, trailing slashes removed', () => {
    expect(parseDicomwebPeers(' county@https://pacs.county.cn/dicom-web/ , city@http://10.0.0.5:8042/dicom-web')).toEqual([
      { name: 'county', url: 'https://pacs.county.cn/dicom-web' },
      { name: 'city', url: 'http://10.0.0.5:8042/dicom-web' },
    ]);
    expect(parseDicomwebPeers(undefined)).toEqual([]);
    expect(parseDicomwebPeers('')).toEqual([]);
  });

  it('takes Basic credentials out of the URL into an Authorization header, percent-encoded characters decoded', () => {
    const [peer] = parseDicomwebPeers('city@https://qiao:p%40ss%2Cw%3Ard@pacs.city.cn/dicom-web/');
    expect(peer).toEqual({ name: 'city', url: 'https://pacs.city.cn/dicom-web', authorization: `Basic ${Buffer.from('qiao:p@ss,w:rd').toString('base64')}` });
    expect(JSON.stringify(peer)).not.toContain('p%40ss');
  });

  it('never repeats a password in its error message', () => {
    expect(() => parseDicomwebPeers('city@https://qiao:secret@pacs.city.cn/dicom-web?x=1')).toThrow(/"city@https:\/\/\*\*\*@pacs\.city\.cn\/dicom-web\?x=1"/);
    expect(() => parseDicomwebPeers('city@https://qiao:secret@pacs.city.cn/dicom-web?x=1')).not.toThrow(/secret/);
  });

  it('refuses entries without a name, with another scheme, a query, or a repeated name, in Chinese and English', () => {
    for (const bad of ['https://x/dicom-web', '@https://x', 'a b@https://x', 'x@ftp://x/d', 'x@https://x/d?token=1', 'x@not a url', 'x@https://a,x@https://b']) {
      expect(() => parseDicomwebPeers(bad)).toThrow(/DICOMweb .*\| .*DICOMweb peer/);
    }
  });
});

describe('DicomwebProxy', () => {
  it('reports a peer that refuses the connection as a failure, not an error', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const proxy = new DicomwebProxy({ peers: [{ name: 'down', url: `http://127.0.0.1:${port}/dicom-web` }], timeoutMs: 2000 });
    const answer = await proxy.query('/studies?PatientID=1', 'http://qiao/dicomweb');
    expect(answer.results).toEqual([]);
    expect(answer.failures).toEqual([{ peer: 'down', why: expect.stringMatching(/ECONNREFUSED/) }]);
  });
});
