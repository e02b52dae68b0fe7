// bantime.increment as fail2ban computes it (observer.py incrBanTime, jail.py setBanTimeExtra).
// Kept: a first ban (count 0), a forever or zero base, or a disabled increment keeps the base; multipliers
// beat the formula, indexed by the count and repeating their last entry; the formula runs in seconds and
// never goes below the base; maxtime then caps, rndtime then adds random()*rndtime; a formula that fails
// at run time keeps the base. Different: results are whole ms; factor and maxtime must be positive,
// multipliers whole numbers >= 0, booleans true/false words (fail2ban reads any other word as false).

import { parseDuration } from '../config/duration.ts';
import { compileFormula, DEFAULT_FORMULA, evaluateConstant, type Formula } from './formula.ts';

export interface IncrementSettings {
  /** bantime.increment (default false). */
  readonly enabled: boolean;
  /** bantime.factor (default 1): `banFactor` in the formula, a plain multiplier with multipliers. */
  readonly factor: number;
  /** bantime.formula compiled; absent when multipliers decide (fail2ban then never compiles it). */
  readonly formula?: Formula;
  /** bantime.multipliers: entry N multiplies the base for an address banned N times before. */
  readonly multipliers?: readonly number[];
  /** bantime.maxtime: the longest a repeat ban gets (before the random part). */
  readonly maxtimeMs?: number;
  /** bantime.rndtime: up to this much is added at random, so botnets cannot time the unban. */
  readonly rndtimeMs?: number;
  /** bantime.overalljails: the caller counts earlier bans in every jail, not just this one. */
  readonly overalljails: boolean;
}

export interface OptionProblem {
  readonly option: string;
  readonly message: string;
}

export const INCREMENT_OPTIONS = [
  'bantime.increment',
  'bantime.factor',
  'bantime.formula',
  'bantime.multipliers',
  'bantime.maxtime',
  'bantime.rndtime',
  'bantime.overalljails',
] as const;

type IncrementOption = (typeof INCREMENT_OPTIONS)[number];

const TRUE = new Set(['true', 'yes', 'on', '1', 'enabled']);
const FALSE = new Set(['false', 'no', 'off', '0', 'disabled']);

/**
 * Reads the bantime.* options of one jail through `get` (undefined or blank = unset, fail2ban's
 * default), reporting every problem at once.
 */
export function parseIncrementOptions(
  get: (key: IncrementOption) => string | undefined,
): { settings: IncrementSettings } | { problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const read = (key: IncrementOption): string | undefined => {
    const v = get(key)?.trim();
    return v === '' ? undefined : v;
  };
  const fail = (option: IncrementOption, message: string): undefined => {
    problems.push({ option, message });
  };
  const bool = (key: IncrementOption): boolean => {
    const text = read(key);
    if (text === undefined || FALSE.has(text.toLowerCase())) return false;
    if (TRUE.has(text.toLowerCase())) return true;
    fail(key, `expected true or false, got "${text}"`);
    return false;
  };
  const duration = (key: IncrementOption, min: number): number | undefined => {
    const text = read(key);
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms !== undefined && ms >= min) return ms;
    const what = min > 0 ? 'a positive duration' : 'a duration';
    return fail(key, `expected ${what} such as 30m, 1d or 1w, got "${text}"`);
  };

  const enabled = bool('bantime.increment');
  const overalljails = bool('bantime.overalljails');
  const factor = factorOf(read('bantime.factor') ?? '1', fail);
  const multipliers = multipliersOf(read('bantime.multipliers'), fail);
  let formula: Formula | undefined;
  // As in fail2ban, the formula is only compiled (and so only checked) when no multipliers are set.
  if (read('bantime.multipliers') === undefined) {
    const compiled = compileFormula(read('bantime.formula') ?? DEFAULT_FORMULA);
    if ('error' in compiled) fail('bantime.formula', compiled.error);
    else formula = compiled;
  }
  const maxtimeMs = duration('bantime.maxtime', 1);
  const rndtimeMs = duration('bantime.rndtime', 0);
  if (problems.length > 0) return { problems };
  return {
    settings: Object.freeze({ enabled, factor, formula, multipliers, maxtimeMs, rndtimeMs, overalljails }),
  };
}

function factorOf(text: string, fail: (o: IncrementOption, m: string) => undefined): number {
  // fail2ban evaluates the factor as Python, so "2.0 / 2.885385" is a factor too.
  const r = evaluateConstant(text);
  if ('value' in r && r.value > 0) return r.value;
  const why = 'error' in r ? `: ${r.error}` : '';
  fail(
    'bantime.factor',
    `expected a positive number or arithmetic such as 2.0 / 2.885385, got "${text}"${why}`,
  );
  return 1;
}

function multipliersOf(
  text: string | undefined,
  fail: (o: IncrementOption, m: string) => undefined,
): readonly number[] | undefined {
  if (text === undefined) return undefined;
  const words = text.split(/\s+/);
  if (words.every((w) => /^\d+$/.test(w))) return Object.freeze(words.map(Number));
  return fail(
    'bantime.multipliers',
    `expected whole numbers separated by spaces, such as 1 5 30 60, got "${text}"`,
  );
}

const DEFAULT = compileFormula(DEFAULT_FORMULA) as Formula;

/**
 * The length of a new ban of an address banned `banCount` times before (in this jail, or in all
 * jails with overalljails), given the jail's bantime `baseMs` (null = forever, which stays so).
 * `random` returns [0, 1) and only matters with rndtime. A formula that fails keeps the base and
 * is reported to `onFormulaError` (fail2ban logs it), so the jail can log it.
 */
export function nextBantime(
  baseMs: number | null,
  banCount: number,
  settings: IncrementSettings,
  random: () => number,
  onFormulaError?: (error: string) => void,
): number | null {
  if (baseMs === null || !settings.enabled || !(baseMs > 0) || !(banCount >= 1)) return baseMs;
  const count = Math.floor(banCount);
  let ms: number;
  const m = settings.multipliers;
  if (m && m.length > 0) {
    ms = baseMs * settings.factor * m[Math.min(count, m.length - 1)]!;
  } else {
    const formula = settings.formula ?? DEFAULT;
    const r = formula.evaluate({ time: baseMs / 1000, count, factor: settings.factor });
    if ('error' in r) {
      onFormulaError?.(r.error);
      return baseMs;
    }
    ms = Math.max(baseMs, r.value * 1000);
  }
  if (settings.maxtimeMs !== undefined) ms = Math.min(ms, settings.maxtimeMs);
  if (settings.rndtimeMs) ms += random() * settings.rndtimeMs;
  return Math.round(ms);
}
