// Form submissions: one event per real submit, decided after the page's own handlers have run, and
// without ever touching the submission itself (no preventDefault, no delay, no re-submit); and one
// per `cxm('submit', form)` for a form the page posted by script, unless already counted.
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
 * entry list is built after the event) and before the page's own handlers read `FormData`. Only
 * trusted events count: `dispatchEvent(new Event('submit'))` submits nothing.
 *
 * Returns `settle`, which decides every submit still waiting: called bare when the page is being
 * hidden (decide now, not later), and with a form for `cxm('submit', form)`, which a page that
 * cancels the submit and posts the form by script calls once its own post succeeded. That form
 * then counts (both callbacks) unless the page's latest trusted submit was this form's and went
 * through uncancelled, which the listener counts: one count per submit, whichever way the page
 * sends it. (Deciding the waiting submits first keeps that true when the page calls it inside its
 * submit handler.) One variable rather than a flag per form: pages submit one form at a time.
 */
export function watchForms(
  onCapture: (form: HTMLFormElement) => void,
  onSubmit: (form: HTMLFormElement) => void,
): (form?: HTMLFormElement) => void {
  const waiting: SubmitEvent[] = [];
  /** The page's latest trusted submit. */
  let latest: SubmitEvent | undefined;
  const settle = (form?: HTMLFormElement) => {
    for (const event of waiting.splice(0)) {
      try {
        if (!event.defaultPrevented) onSubmit(event.target as HTMLFormElement);
      } catch {}
    }
    if (form && (latest?.target !== form || latest.defaultPrevented)) {
      onCapture(form);
      onSubmit(form);
    }
  };
  addEventListener(
    'submit',
    (event) => {
      try {
        if (!event.isTrusted) return;
        onCapture(event.target as HTMLFormElement);
        latest = event;
        waiting.push(event);
        // (setTimeout calls it with no argument: it decides, and counts no form of its own.)
        setTimeout(settle, 0);
      } catch {}
    },
    true,
  );
  return settle;
}
