// The control socket's wire format: newline-delimited JSON, one request per line, one response
// per request, in order. Shared by the server and banctl; nothing else of control/ is imported
// by the client.

import type { JailStatus } from '../core/types.ts';

export type Request =
  | { readonly cmd: 'ping' }
  | { readonly cmd: 'status'; readonly jail?: string }
  | { readonly cmd: 'ban'; readonly jail: string; readonly ip: string }
  | { readonly cmd: 'unban'; readonly jail: string; readonly ip: string }
  | { readonly cmd: 'reload' };

export interface DaemonStatus {
  readonly jails: readonly string[];
}

/** What a reload changed, jail names in configuration order. */
export interface ReloadReply {
  /** New in the configuration, or changed and restarted with its bans kept. */
  readonly started: readonly string[];
  readonly restarted: readonly string[];
  /** Gone from the configuration: stopped, their bans lifted from the kernel. */
  readonly stopped: readonly string[];
  /** Unchanged and left running untouched. */
  readonly kept: readonly string[];
  /** Jails that could not start; the others run. */
  readonly failed: readonly string[];
}

/** A jail's status travels as the shared core type. */
export type JailStatusReply = JailStatus;

export type Response =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** Lines longer than this are refused: a request is a few hundred bytes at most. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export function encode(message: Request | Response): string {
  return `${JSON.stringify(message)}\n`;
}
