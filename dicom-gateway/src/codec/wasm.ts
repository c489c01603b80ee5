import { createRequire } from 'node:module';
import { CodecError } from './error.js';

const require = createRequire(import.meta.url);

/** What the decoder of each Cornerstone codec build reports about the frame it decoded. */
export interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The one interface the libjpeg-turbo, CharLS and OpenJPEG WebAssembly builds share. */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

type Factory = (options: { print: (text: string) => void; printErr: (text: string) => void }) => Promise<Record<string, new () => WasmDecoder>>;

export type WasmCodec = 'jpeg' | 'jpeg-ls' | 'jpeg-2000';

const BUILDS: Record<WasmCodec, { module: string; decoder: string }> = {
  jpeg: { module: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder' },
  'jpeg-ls': { module: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder' },
  'jpeg-2000': { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder' },
};

const loaded = new Map<WasmCodec, Promise<new () => WasmDecoder>>();

/** Instantiated on first use (each build is a few hundred kilobytes of WebAssembly); OpenJPEG's progress messages are dropped. */
function decoderClass(codec: WasmCodec): Promise<new () => WasmDecoder> {
  let pending = loaded.get(codec);
  if (!pending) {
    const build = BUILDS[codec];
    const quiet = () => undefined;
    pending = (require(build.module) as Factory)({ print: quiet, printErr: quiet }).then((module) => module[build.decoder] as new () => WasmDecoder);
    // A build that failed to instantiate is tried again next time, not remembered as failed.
    pending.catch(() => loaded.delete(codec));
    loaded.set(codec, pending);
  }
  return pending;
}

/** Decodes one frame's codestream; the samples come back interleaved, 1 byte each up to 8 bits, else 2 (little endian). */
export async function decodeWasm(codec: WasmCodec, data: Uint8Array): Promise<{ info: FrameInfo; samples: Buffer }> {
  const Decoder = await decoderClass(codec);
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    try {
      decoder.decode();
    } catch (error) {
      throw new CodecError(`${codec} decoder refused the frame: ${describe(error)}`);
    }
    // A view of the WebAssembly heap: copied out before the decoder is freed.
    return { info: decoder.getFrameInfo(), samples: Buffer.from(decoder.getDecodedBuffer()) };
  } finally {
    decoder.delete();
  }
}

/** A C++ exception reaches JavaScript as a bare pointer: nothing in it to show. */
function describe(error: unknown): string {
  return typeof error === 'number' ? 'corrupt or unsupported codestream' : String((error as Error)?.message ?? error);
}
