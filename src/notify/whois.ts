// The whois report of a banned address: the configured program run with execFile (no shell,
// the address is one argv entry), bounded in time and size. It never throws: a missing, failing
// or slow whois becomes a sentence in the mail instead, because the ban mail matters more than
// its report. The output is untrusted data and is treated only as text.

import { execFile } from 'node:child_process';

/** Looks up `address`; resolves to the report, or a sentence saying why there is none. */
export type WhoisLookup = (address: string) => Promise<string>;

export interface WhoisOptions {
  /** The program: a path, or a name looked up in PATH. */
  readonly program: string;
  readonly timeoutMs: number;
  /** Output beyond this is cut off; default 64 KiB, plenty for any registry's reply. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024;

export function createWhois(options: WhoisOptions): WhoisLookup {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return (address) =>
    new Promise((resolve) => {
      // An argument that starts with '-' would be read as an option; addresses never do.
      if (address.startsWith('-') || address.length === 0) {
        resolve(unavailable(`"${address}" is not an address`));
        return;
      }
      execFile(
        options.program,
        [address],
        {
          timeout: options.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: maxBytes,
          encoding: 'utf8',
          windowsHide: true,
        },
        // The kill on timeout reaches only the direct child; whois itself starts none, but a
        // wrapper script's children outlive it. execFile has no process-group option.
        (error, stdout) => resolve(report(error, stdout, options, maxBytes)),
      );
    });
}

type ExecError = Error & { code?: string | number | null; killed?: boolean; signal?: string | null };

function report(error: ExecError | null, stdout: string, options: WhoisOptions, maxBytes: number): string {
  const out = stdout.trimEnd();
  if (!error) return out.length > 0 ? out : unavailable(`${options.program} printed nothing`);
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return `${out}\n[whois report cut off at ${Math.round(maxBytes / 1024)} KiB]`;
  }
  if (error.code === 'ENOENT') return unavailable(`${options.program} not installed`);
  if (error.code === 'EACCES') return unavailable(`${options.program} is not executable`);
  if (error.killed && error.signal === 'SIGKILL') {
    return unavailable(`timed out after ${formatSeconds(options.timeoutMs)}`);
  }
  if (typeof error.code === 'number') {
    // Some whois clients exit non-zero yet print a useful reply (no match, referral failed).
    const why = `${options.program} exited with status ${error.code}`;
    return out.length > 0 ? `${out}\n[${why}]` : unavailable(why);
  }
  if (error.signal) return unavailable(`${options.program} was killed by ${error.signal}`);
  return unavailable(error.message);
}

function unavailable(why: string): string {
  return `whois report unavailable: ${why}`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
