/**
 * The DIMSE listener against DCMTK's own clients (echoscu, storescu), with a store that records
 * what it is handed: instances must arrive as Part 10 files whose data set is byte for byte the one
 * sent, whatever the transfer syntax, and the store's verdict must reach the sender.
 */
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { startDimse, type DimseListener } from '../../src/dimse/index.js';
import type { QidoQuery } from '../../src/store/query.js';
import type { InstanceSink, StoreResult } from '../../src/store/store.js';
import { part10 } from '../charset/part10.js';

// DCMTK's tools start a process each: the suite-wide 5 s default is too short on a busy machine.

const run = promisify(execFile);
const DATA = new URL('../data/', import.meta.url).pathname;
const env = { ...process.env, TCP_NODELAY: '1' };

/** A store that writes each data set it gets to a file, answers slowly when asked, and as told. */
class RecordingStore {
  readonly files: string[] = [];
  verdict: StoreResult = { status: 'stored' };
  slow = false;
  constructor(private readonly dir: string) {}
  receiveInstance(): InstanceSink {
    const file = join(this.dir, `${this.files.length}.dcm`);
    this.files.push(file);
    const chunks: Buffer[] = [];
    let answer: (result: StoreResult) => void = () => undefined;
    const result = new Promise<StoreResult>((resolve) => (answer = resolve));
    const delay = this.slow ? 20 : 0;
    return {
      write: (chunk) => (chunks.push(Buffer.from(chunk)), true),
      end: () => {
        writeFileSync(file, Buffer.concat(chunks));
        setTimeout(() => answer(this.verdict), delay);
      },
      abort: () => answer({ status: 'failed' }),
      result,
    };
  }
  readonly queries: QidoQuery[] = [];
  async findStudies(query: QidoQuery): Promise<never[]> {
    this.queries.push(query);
    return [];
  }
  findSeries = this.findStudies;
  findInstances = this.findStudies;
  instances = async (): Promise<never[]> => [];
  blobs = { stream: (): Readable => Readable.from([]) };
}

/**
 * The data set as DCMTK reads it (every value printed in full), without the File Meta Information,
 * which the receiver writes itself, trailing padding, which storescu does not send, and how
 * sequences are delimited, which storescu re-encodes.
 */
async function dataSet(file: string): Promise<string> {
  const { stdout } = await run('dcmdump', ['+L', file], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((line) => !/^\((0002|fffc),/.test(line) && !/Delimitation/.test(line))
    .map((line) => line.replace(/\((Sequence|Item) with [^)]*\)/, '').replace(/\s+#.*$/, ''))
    .join('\n');
}

describe('DIMSE listener with DCMTK clients', () => {
  let dir: string;
  let store: RecordingStore;
  let listener: DimseListener;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qiao-dimse-'));
    store = new RecordingStore(dir);
    listener = await startDimse({ host: '127.0.0.1', port: 0, store, allowedAes: ['MODALITY', 'ECHOSCU', 'STORESCU'] });
  });
  afterAll(async () => {
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    store.files.length = 0;
    store.queries.length = 0;
    store.verdict = { status: 'stored' };
    store.slow = false;
  });

  it('answers C-ECHO', async () => {
    await expect(run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'QIAO', '127.0.0.1', String(listener.port)], { env })).resolves.toBeDefined();
  });

  it('rejects an association called to another AE title, or from a calling AE title not allowed', async () => {
    await expect(run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'OTHER', '127.0.0.1', String(listener.port)], { env })).rejects.toThrow(/Called AE Title Not Recognized/i);
    await expect(run('echoscu', ['-aet', 'INTRUDER', '-aec', 'QIAO', '127.0.0.1', String(listener.port)], { env })).rejects.toThrow(/Calling AE Title Not Recognized/i);
  });

  it('streams C-STORE instances to the store as Part 10 files identical to what was sent (native and JPEG 2000)', async () => {
    store.slow = true; // each response waits for the store; the next instance waits for it
    const ct = join(DATA, 'CT_small.dcm');
    const cr = join(DATA, 'RG3_J2KI_CR_jpeg2000.dcm');
    const ecg = join(DATA, 'anonymous_ecg_12lead_waveform.dcm');
    await run('storescu', ['-aet', 'STORESCU', '-aec', 'QIAO', '127.0.0.1', String(listener.port), ct, ecg], { env });
    await run('storescu', ['-xw', '-aet', 'STORESCU', '-aec', 'QIAO', '127.0.0.1', String(listener.port), cr], { env });
    expect(store.files).toHaveLength(3);
    const [ctCopy, ecgCopy, crCopy] = store.files as [string, string, string];
    for (const [copy, original] of [[ctCopy, ct], [ecgCopy, ecg], [crCopy, cr]] as const) {
      expect(await dataSet(copy)).toBe(await dataSet(original));
    }
    // And DCMTK reads the received file, meta header included, as the instance sent.
    const { stdout } = await run('dcmdump', ['+P', '0002,0010', '+P', '0002,0016', '+P', '0008,0018', crCopy]);
    expect(stdout).toMatch(/JPEG2000/);
    expect(stdout).toMatch(/\[STORESCU\]/);
    expect(stdout).toContain('1.3.6.1.4.1.5962.1.1.11.1.3.20040826185059.5457');
  });

  it('drops a connection that sends something other than DICOM PDUs (before buffering it), and goes on serving', async () => {
    for (const junk of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from([0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00])]) {
      const socket = net.connect(listener.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(junk); // an unknown PDU type; a PDU claiming 4 GB
      socket.resume();
      await once(socket, 'close');
    }
    await expect(run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'QIAO', '127.0.0.1', String(listener.port)], { env })).resolves.toBeDefined();
  });

  it('reads C-FIND identifiers in GB18030, in ISO 2022 IR 58 (code extensions) and undeclared (UTF-8, else GB18030), as findscu sends them from query files', async () => {
    const ESC = 0x1b;
    const queries = {
      gb18030: ['GB18030', Buffer.from([0xcd, 0xf5, 0x2a])], // 王*
      ir58: ['\\ISO 2022 IR 58', Buffer.from([0x3d, ESC, 0x24, 0x29, 0x41, 0xd5, 0xc5, 0x2a])], // =张* (ideographic group)
      undeclaredUtf8: [undefined, Buffer.from('王*')],
      undeclaredGbk: [undefined, Buffer.from([0xd5, 0xc5, 0x2a])], // 张*
    } as const;
    for (const [name, [scs, patientName]] of Object.entries(queries)) {
      const file = join(dir, `${name}.dcm`);
      writeFileSync(
        file,
        part10([
          ...(scs ? [[0x0008, 0x0005, 'CS', Buffer.from(scs)] as [number, number, string, Buffer]] : []),
          [0x0008, 0x0052, 'CS', Buffer.from('STUDY')],
          [0x0010, 0x0010, 'PN', patientName],
        ]),
      );
      await run('findscu', ['-S', '-aet', 'MODALITY', '-aec', 'QIAO', '127.0.0.1', String(listener.port), file], { env });
    }
    expect(store.queries.map((q) => q.match.PatientName)).toEqual(['王*', '=张*', '王*', '张*']);
  });

  it('refuses associations beyond the connection limit, transiently', async () => {
    const small = await startDimse({ host: '127.0.0.1', port: 0, store, maxAssociations: 1 });
    try {
      const holder = net.connect(small.port, '127.0.0.1');
      await once(holder, 'connect');
      await expect(run('echoscu', ['-aec', 'QIAO', '127.0.0.1', String(small.port)], { env })).rejects.toThrow(/Local Limit Exceeded/i);
      holder.destroy();
      await once(holder, 'close');
      await new Promise((r) => setTimeout(r, 100));
      await expect(run('echoscu', ['-aec', 'QIAO', '127.0.0.1', String(small.port)], { env })).resolves.toBeDefined();
    } finally {
      await small.close();
    }
  });

  it('reports the store’s refusal to the sender as a failure status', async () => {
    store.verdict = { status: 'failed', failureReason: 0xa900, reason: { zh: '不匹配', en: 'data set does not match SOP class' } };
    const result = await run('storescu', ['-v', '-aet', 'STORESCU', '-aec', 'QIAO', '127.0.0.1', String(listener.port), join(DATA, 'MR_small.dcm')], { env }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(`${result.stdout}${result.stderr}`).toMatch(/Received Store Response \(Error: DataSetDoesNotMatchSOPClass\)/);
  });
});
