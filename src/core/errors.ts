// Error classes with a stable string `code`, so callers branch on codes, not on messages.

/** Where in the configuration a problem was found. */
export interface SourceRef {
  readonly file: string;
  readonly line?: number;
  readonly option?: string;
}

export function formatRef(ref: SourceRef): string {
  const at = ref.line === undefined ? ref.file : `${ref.file}:${ref.line}`;
  return ref.option === undefined ? at : `${at}: ${ref.option}`;
}

/** One problem in the configuration; a load collects all of them before failing. */
export interface ConfigProblem extends SourceRef {
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${formatRef(p)}: ${p.message}`;
}

export class ConfigError extends Error {
  readonly code = 'ECONFIG';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export class NftError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly op: string,
  ) {
    super(message);
    this.name = 'NftError';
  }
}

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
