/** A frame that cannot be decoded: a syntax without a decoder here, or data its decoder refuses. */
export class CodecError extends Error {}
