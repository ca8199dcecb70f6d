// Form submissions: one event per real submit, decided after the page's own handlers have run, and
// without ever touching the submission itself (no preventDefault, no delay, no re-submit).
import { MAX_FORM_NAME_LENGTH, VISITOR_FIELD } from './wire.js';

/**
 * The form's id or name. Read as attributes: `form.id` and `form.name` are shadowed by fields
 * named `id` or `name` (the form element exposes its fields as properties), the same quirk that
 * breaks `form.submit()` on a form with a field named `submit`.
 */
export function formName(form: HTMLFormElement): string {
  return (form.getAttribute('id') || form.getAttribute('name') || '').slice(
    0,
    MAX_FORM_NAME_LENGTH,
  );
}

/** Puts the visitor id in a hidden `cxm_vid` input, so the site's backend can link the candidate. */
export function addVisitorField(form: HTMLFormElement, visitorId: string): void {
  let input = form.querySelector<HTMLInputElement>(`input[name="${VISITOR_FIELD}"]`);
  if (!input) {
    input = document.createElement('input');
    input.type = 'hidden';
    input.name = VISITOR_FIELD;
    form.append(input);
  }
  input.value = visitorId;
}

export function removeVisitorFields(): void {
  for (const input of document.querySelectorAll(`input[name="${VISITOR_FIELD}"]`)) {
    input.remove();
  }
}

/**
 * `onSubmit` runs once per submit the page did not cancel. The browser fires `submit` only after
 * the form passed its own constraint validation, so an invalid form never gets here. The listener
 * is on `window` in the capture phase, before any page handler can stop the event or navigate away;
 * whether the page cancelled it (`defaultPrevented`) is only known after every handler ran, so the
 * decision waits for a task (`setTimeout 0`) or for the page being hidden, whichever comes first.
 * `onCapture` runs at once, while fields added to the form still go into the submission (the
 * entry list is built after the event). Returns `settle`, which decides every submit still
 * waiting (for when the page is being hidden: decide now, not later). Only trusted events count:
 * `dispatchEvent(new Event('submit'))` submits nothing.
 */
export function watchForms(
  onCapture: (form: HTMLFormElement) => void,
  onSubmit: (form: HTMLFormElement) => void,
): () => void {
  const waiting: SubmitEvent[] = [];
  const settle = () => {
    for (const event of waiting.splice(0)) {
      try {
        if (!event.defaultPrevented) onSubmit(event.target as HTMLFormElement);
      } catch {}
    }
  };
  addEventListener(
    'submit',
    (event) => {
      try {
        if (!event.isTrusted) return;
        onCapture(event.target as HTMLFormElement);
        waiting.push(event);
        setTimeout(settle, 0);
      } catch {}
    },
    true,
  );
  return settle;
}
