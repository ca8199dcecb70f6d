// The sign-in page: the organisation's name, then its identity provider's own sign-in page.
import { Layout, Notice } from '../layout.js';

export function SignInPage(props: {
  org?: string;
  /** LOCAL_DEMO: name the demo organisation and people. */
  demo?: boolean;
  next?: string | null;
  error?: string | undefined;
  notice?: string | undefined;
}) {
  return (
    <Layout title="Sign in">
      <div class="card sign-in">
        <h1>Sign in to the console</h1>
        {props.notice ? <Notice kind="info">{props.notice}</Notice> : null}
        {props.error ? (
          <div class="message error" role="alert">
            {props.error}
          </div>
        ) : null}
        <form method="post" action="/console/sign-in">
          <label for="org">Organisation</label>
          <input
            type="text"
            id="org"
            name="org"
            required
            value={props.org ?? ''}
            autocomplete="organization"
            spellcheck={false}
            aria-describedby="org-hint"
          />
          <p class="hint" id="org-hint">
            You sign in with your work account at your organisation’s identity provider (single
            sign-on); the console never sees your password.
          </p>
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <button type="submit">Sign in with single sign-on</button>
        </form>
        {props.demo ? (
          <div class="message info" role="note">
            <strong>Local demo.</strong> Organisation <code>demo</code>; at its identity provider
            sign in as <code>user@demo.test</code>, <code>reporter@demo.test</code>,{' '}
            <code>manager@demo.test</code> or <code>admin@demo.test</code> (one per role), password{' '}
            <code>demo</code>. API keys (<code>sk_demo_*</code>) are for backends and curl, not the
            console.
          </div>
        ) : null}
      </div>
    </Layout>
  );
}
