/** Shorthand for what a probe found. */
import type { ProbeOutcome } from '../types';

export const pass = (code: string, detail: string): ProbeOutcome => ({ status: 'pass', code, detail });
export const warn = (code: string, detail: string): ProbeOutcome => ({ status: 'warn', code, detail });
export const fail = (code: string, detail: string): ProbeOutcome => ({ status: 'fail', code, detail });
export const skip = (code: string, detail: string): ProbeOutcome => ({ status: 'skip', code, detail });
