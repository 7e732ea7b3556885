import type { z } from 'zod';
import { upcastCollectionsFlagRaisedV1 } from './events/collections-flag-raised.v2.js';
import type { CollectionsFlagRaisedV1 } from './events/collections-flag-raised.v1.js';
import type { EventKey, eventSchemas } from './registry.js';

/** Any event the registry knows, as parsed. */
export type AnyEvent = z.infer<(typeof eventSchemas)[EventKey]>;

/**
 * Readers upcast: each entry turns one version of an event into the next (a pure function of the event; the
 * id stays, so an inbox keyed by event id still sees a redelivery of the old version as the same event).
 * A breaking change is a new version plus its entry here; readers then handle only the latest version.
 */
export const upcasters: Partial<Record<EventKey, (event: never) => AnyEvent>> = {
  'CollectionsFlagRaised.v1': (event: CollectionsFlagRaisedV1) => upcastCollectionsFlagRaisedV1(event),
};

// The version each upcast event arrived as (an inbox records what was received, not what it was read as).
const arrivedAs = new WeakMap<object, number>();

/** The version `event` was received as: its own, or for an event upcastEvent returned, the version it was upcast from. */
export const receivedVersion = (event: { readonly version: number }): number => arrivedAs.get(event) ?? event.version;

/** The event at the latest version of its type: upcast step by step (an event already latest is returned as is). */
export function upcastEvent(event: AnyEvent): AnyEvent {
  let current = event;
  for (let step = 0; step < 10; step += 1) {
    const next = upcasters[`${current.type}.v${current.version}` as EventKey] as ((e: AnyEvent) => AnyEvent) | undefined;
    if (!next) {
      if (current !== event) arrivedAs.set(current, event.version);
      return current;
    }
    current = next(current);
  }
  throw new Error(`upcasting ${event.type} v${event.version} did not reach a latest version`);
}
