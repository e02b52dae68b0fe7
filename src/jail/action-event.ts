// What a jail's actions are told of a ban or an unban (fail2ban's action tags), built when an
// action is about to hear it: an active ban keeps only the order, its lines and captures, and
// its count, and the lines of earlier bans are read from the state file only if a tag asks.

import type { ActionEvent, StateStore } from '../ban/ports.ts';
import type { BanOrder } from '../core/types.ts';

/** A ban as the BanBook keeps it. */
export interface BanFacts {
  readonly order: BanOrder;
  readonly matches: readonly string[];
  readonly fields: Readonly<Record<string, string>>;
  readonly banCount: number;
}

export function actionEvent(store: Pick<StateStore, 'banMatches'>, ban: BanFacts): ActionEvent {
  const { order } = ban;
  return {
    jail: order.jail,
    address: order.address,
    failures: order.failures,
    time: order.bannedAt,
    bantimeMs: order.expiresAt === null ? null : order.expiresAt - order.bannedAt,
    banCount: ban.banCount,
    matches: ban.matches,
    fields: ban.fields,
    ipMatches: () => store.banMatches(order.address, undefined),
    ipJailMatches: () => store.banMatches(order.address, order.jail),
    restored: order.restored,
  };
}
