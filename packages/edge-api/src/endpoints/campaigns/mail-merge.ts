// A campaign text as one candidate receives it: `{{firstName}}` becomes their first name and
// `{{url}}` their own tracked link (`message-links/`). Definitions only ever hold these two
// fields (the schema refuses others), so anything else left in braces is the candidate's text.

/** Used where a candidate has no first name on file: "Hi {{firstName}}," reads "Hi there,". */
export const NO_FIRST_NAME = 'there';

export interface MergeFields {
  firstName: string | null;
  /** The candidate's tracked link; null when the campaign has no URL. */
  link: string | null;
}

export function mergeMessage(message: string, fields: MergeFields): string {
  const firstName = fields.firstName?.trim() || NO_FIRST_NAME;
  return message.replace(/\{\{(firstName|url)\}\}/g, (_whole, field: string) =>
    field === 'firstName' ? firstName : (fields.link ?? ''),
  );
}
