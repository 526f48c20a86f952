import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import { DeadlineKind } from './deadline-kind';

/** A deadline that has just been claimed: what its handler needs to act on. */
export interface FiredDeadline {
  kind: DeadlineKind;
  caseId: string;
  referralId: string | null;
  breakGlassId: string | null;
  taskId: string | null;
  /** Who is told, for kinds whose subject does not say (reflection period, break-glass). */
  organisationIds: string[];
}

/**
 * What a feature does when one of its deadlines fires, inside the transaction that claimed it:
 * the claim and the effect commit together, so a deadline acts once.
 */
export interface DeadlineKindHandler {
  fire(manager: EntityManager, deadline: FiredDeadline): Promise<void>;
}

/** Discoverable marker; apply it through HandlesDeadlines. */
export const DEADLINE_KIND_HANDLER = DiscoveryService.createDecorator<readonly DeadlineKind[]>();

/** Declares the deadline kinds a feature's provider handles. The worker refuses to start unless every kind has exactly one. */
export function HandlesDeadlines(...kinds: DeadlineKind[]) {
  return <T extends abstract new (...args: never[]) => DeadlineKindHandler>(target: T): void => {
    DEADLINE_KIND_HANDLER(kinds)(target);
  };
}

export interface DiscoveredDeadlineHandler {
  kinds: readonly DeadlineKind[];
  handler: DeadlineKindHandler;
  className: string;
}

/** Every kind mapped to its single handler; throws naming each kind without one or with several. */
export function buildDeadlineRegistry(found: readonly DiscoveredDeadlineHandler[]): Map<DeadlineKind, DeadlineKindHandler> {
  const byKind = new Map<DeadlineKind, DiscoveredDeadlineHandler[]>();
  for (const entry of found) for (const kind of entry.kinds) byKind.set(kind, [...(byKind.get(kind) ?? []), entry]);
  const problems: string[] = [];
  for (const kind of Object.values(DeadlineKind)) {
    const handlers = byKind.get(kind) ?? [];
    if (handlers.length === 0) problems.push(`no handler for deadline kind "${kind}"`);
    if (handlers.length > 1) problems.push(`${handlers.length} handlers for deadline kind "${kind}" (${handlers.map((h) => h.className).join(', ')})`);
  }
  if (problems.length > 0) throw new Error(`deadline handlers: ${problems.join('; ')}`);
  return new Map([...byKind].map(([kind, handlers]) => [kind, handlers[0]!.handler]));
}
