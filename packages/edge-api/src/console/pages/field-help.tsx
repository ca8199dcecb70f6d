// What a console form field shows besides its input: its hint, and the errors of a refusal, with
// the ids that tie them to the input (`aria-describedby`: the error first, then the hint).
import type { Child } from 'hono/jsx';

export interface FieldHelp {
  /** The form's id prefix: a field's input is `<prefix>-<name>`. */
  prefix: string;
  name: string;
  hint?: Child;
  errors: string[];
}

/** The input's id, what describes it, and whether it is invalid. */
export function fieldIds(props: FieldHelp) {
  const id = `${props.prefix}-${props.name}`;
  const describedBy = [props.errors.length > 0 ? `${id}-error` : '', props.hint ? `${id}-hint` : '']
    .filter(Boolean)
    .join(' ');
  return {
    id,
    describedBy: describedBy || undefined,
    invalid: props.errors.length > 0 ? ('true' as const) : undefined,
  };
}

export function HintAndErrors(props: FieldHelp) {
  const { id } = fieldIds(props);
  return (
    <>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.errors.length > 0 ? (
        <p class="field-error" id={`${id}-error`}>
          <span class="visually-hidden">Error: </span>
          {props.errors.join(' ')}
        </p>
      ) : null}
    </>
  );
}
