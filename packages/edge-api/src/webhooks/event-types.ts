// The `type` of each webhook event, alone in a module without imports: the API schema and the
// typed client (which backends and the examples compile) read them without pulling in the
// delivery code and its Worker types.
export const TIER_CHANGED = 'candidate.tier_changed';
export const WEBHOOK_TEST = 'webhook.test';

/** Every `type` an event can have, for the delivery log's filter. */
export const WEBHOOK_EVENT_TYPES = [TIER_CHANGED, WEBHOOK_TEST] as const;
