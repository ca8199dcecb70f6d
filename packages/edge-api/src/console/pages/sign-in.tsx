// The sign-in page: an API key, checked against `GET /v1/whoami`.
import { Layout, Notice } from '../layout.js';

export function SignInPage(props: { error?: string | undefined; notice?: string | undefined }) {
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
          <label for="key">API key</label>
          <input
            type="password"
            id="key"
            name="key"
            required
            autocomplete="off"
            spellcheck={false}
            aria-describedby="key-hint"
          />
          <p class="hint" id="key-hint">
            The console acts with this key's role and nothing more. Local demo keys:{' '}
            <code>sk_demo_user</code>, <code>sk_demo_reporter</code>, <code>sk_demo_manager</code>,{' '}
            <code>sk_demo_admin</code>.
          </p>
          <button type="submit">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}
