// Checks and converts caller engagements into the accumulator's numeric form.
import { typeIndex } from './compiled-model.js';
import { detailHash } from './detail-hash.js';
import { toEpochMs } from './time.js';
import { ENGAGEMENT_TYPES, type Engagement } from './types.js';

export interface PreparedEngagement {
  type: number;
  hash: number;
  at: number;
  machine: boolean;
}

export function prepare(engagement: Engagement, field: string): PreparedEngagement {
  const type = typeIndex(engagement.type);
  if (type < 0) {
    throw new TypeError(
      `${field}.type must be one of ${ENGAGEMENT_TYPES.join(', ')}; got ${JSON.stringify(engagement.type)}`,
    );
  }
  return {
    type,
    hash: detailHash(engagement.detail),
    at: toEpochMs(engagement.occurredAt, `${field}.occurredAt`),
    machine: engagement.machine === true,
  };
}

/** Prepared engagements in time order (ties keep input order), so guards see windows in order. */
export function prepareAll(engagements: readonly Engagement[]): PreparedEngagement[] {
  return engagements
    .map((engagement, index) => prepare(engagement, `engagements[${index}]`))
    .sort((a, b) => a.at - b.at);
}
