// Shared by the command handlers: request fields after validation, and result → response.

import type { ControlResult } from '../daemon.ts';
import type { Response } from '../protocol.ts';

export interface Args {
  readonly jail?: string;
  readonly ip?: string;
}

export function fromResult<T>(r: ControlResult<T>): Response {
  return r.ok ? { ok: true, result: r.value } : { ok: false, error: { code: r.code, message: r.message } };
}

export function missing(field: string): Response {
  return { ok: false, error: { code: 'EUSAGE', message: `missing "${field}"` } };
}
