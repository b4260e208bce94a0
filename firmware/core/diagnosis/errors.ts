/**
 * The diagnosis module's one error type. Bytes that come back from flash (the evidence history)
 * or from a person (a support code, a QR payload) may be anything: they are refused with a
 * stable code, never a crash, and nothing else is lost.
 */
export type DiagnosisErrorCode =
  /** The evidence history record is not the CBOR shape history.ts writes. */
  | 'history-malformed'
  /** The evidence history record was written in a format this firmware does not know. */
  | 'history-format'
  /** A QR summary that does not decode (summary.ts). */
  | 'summary-malformed'
  /** A support code that does not decode or fails its check character (supportCode.ts). */
  | 'support-code-malformed';

export class DiagnosisError extends Error {
  override readonly name = 'DiagnosisError';
  constructor(
    readonly code: DiagnosisErrorCode,
    message: string,
  ) {
    super(message);
  }
}
