import { afterEach, describe, expect, it, vi } from 'vitest';
import { addVisitorField, formName, removeVisitorFields, watchForms } from './forms.js';

// happy-dom leaves `isTrusted` unset on submit events; a browser sets it on the ones it fires.
// Play the browser's part, registered before the tracker's listener so it runs first. (Untrusted
// events, which a browser never turns into a submission, are ignored: see `ignores`.)
let trusted = true;
addEventListener('submit', (e) => Object.defineProperty(e, 'isTrusted', { value: trusted }), true);

const captured = vi.fn();
const submitted = vi.fn();
const settle = watchForms(captured, submitted);
afterEach(() => {
  document.body.innerHTML = '';
  captured.mockClear();
  submitted.mockClear();
});

function form(html: string, attrs = ''): HTMLFormElement {
  document.body.innerHTML = `<form ${attrs}>${html}<button>Send</button></form>`;
  return document.querySelector('form')!;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('form submissions', () => {
  it('names a form by id or name even when fields called id or name shadow the properties', () => {
    expect(formName(form('<input name="id"><input name="name">', 'id="apply"'))).toBe('apply');
    expect(formName(form('<input name="name">', 'name="signup"'))).toBe('signup');
    expect(formName(form('<input name="id">'))).toBe('');
  });

  // `dispatchEvent` runs the listeners as a browser submit would, without happy-dom navigating.
  const submit = (f: HTMLFormElement) =>
    f.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));

  it('records one event per submit nobody cancelled, decided after the page handlers ran', async () => {
    const f = form('<input name="email" value="a@b.c">', 'id="apply"');
    submit(f);
    expect(captured).toHaveBeenCalledWith(f);
    expect(submitted).not.toHaveBeenCalled(); // a handler may still cancel it
    await tick();
    expect(submitted).toHaveBeenCalledTimes(1);
    expect(submitted).toHaveBeenCalledWith(f);
  });

  it('does not count a submit the page cancelled, even in a listener added after the tracker', async () => {
    const f = form('', 'id="apply"');
    const cancel = (e: Event) => e.preventDefault();
    addEventListener('submit', cancel);
    submit(f);
    removeEventListener('submit', cancel);
    await tick();
    expect(submitted).not.toHaveBeenCalled();
  });

  it('decides at once when the page hides before the decision task ran', () => {
    const f = form('', 'id="apply"');
    submit(f);
    settle();
    expect(submitted).toHaveBeenCalledTimes(1);
  });

  it('ignores untrusted submit events, which submit nothing', async () => {
    trusted = false;
    submit(form(''));
    trusted = true;
    await tick();
    expect(captured).not.toHaveBeenCalled();
    expect(submitted).not.toHaveBeenCalled();
  });

  describe('cxm("submit", form): forms posted by script', () => {
    // The page's own handlers are on the form: they run after the tracker's capture listener.
    it('counts a cancelled submit once, when the page calls it after its own post', async () => {
      const f = form('<input name="email" value="a@b.c">', 'id="quick-apply"');
      f.addEventListener('submit', (e) => e.preventDefault());
      submit(f);
      expect(captured).toHaveBeenCalledTimes(1); // the hidden field is filled at submit time
      await tick();
      expect(submitted).not.toHaveBeenCalled(); // the listener does not count it
      settle(f); // the page's fetch succeeded
      expect(captured).toHaveBeenCalledTimes(2);
      expect(submitted).toHaveBeenCalledTimes(1);
      expect(submitted).toHaveBeenCalledWith(f);
    });

    it('does not count twice a submit nobody cancelled, which the listener counted', async () => {
      const f = form('', 'id="apply"');
      submit(f);
      await tick();
      expect(submitted).toHaveBeenCalledTimes(1);
      settle(f);
      settle(f);
      expect(submitted).toHaveBeenCalledTimes(1);
    });

    it('counts once when the page calls it inside its submit handler, cancelling or not', async () => {
      const plain = form('', 'id="apply"');
      plain.addEventListener('submit', () => settle(plain));
      submit(plain);
      await tick();
      expect(submitted).toHaveBeenCalledTimes(1);

      submitted.mockClear();
      // Called before the handler cancels: the listener decided already, and counted it.
      const late = form('', 'id="apply"');
      late.addEventListener('submit', (e) => {
        settle(late);
        e.preventDefault();
      });
      submit(late);
      await tick();
      expect(submitted).toHaveBeenCalledTimes(1);
    });

    it('counts a form posted with no submit event at all (a click handler), each time', () => {
      const f = form('', 'id="newsletter"');
      settle(f);
      settle(f);
      expect(captured).toHaveBeenCalledTimes(2);
      expect(submitted).toHaveBeenCalledTimes(2);
    });

    it("goes by the page's latest submit: a cancelled one after a counted one counts again", async () => {
      const f = form('', 'id="apply"');
      submit(f);
      await tick();
      const cancel = (e: Event) => e.preventDefault();
      f.addEventListener('submit', cancel);
      submit(f);
      await tick();
      settle(f);
      expect(submitted).toHaveBeenCalledTimes(2);
    });

    it('counts nothing without a form', () => {
      settle();
      expect(submitted).not.toHaveBeenCalled();
    });
  });

  it('adds, fills and removes the hidden visitor field, and a field named submit stays intact', () => {
    const f = form('<input name="submit" value="x">');
    addVisitorField(f, 'visitor-1');
    addVisitorField(f, 'visitor-2');
    const inputs = f.querySelectorAll<HTMLInputElement>('input[name="cxm_vid"]');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.type).toBe('hidden');
    expect(inputs[0]!.value).toBe('visitor-2');
    expect(f.querySelector<HTMLInputElement>('input[name="submit"]')!.value).toBe('x');
    removeVisitorFields();
    expect(f.querySelector('input[name="cxm_vid"]')).toBeNull();
  });
});
