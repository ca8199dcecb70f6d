// The page frame every console page shares, and the small pieces pages reuse: the tier badge,
// API problems shown as messages (a role too low for a page, any other refusal), and the tab bar.
import type { Child } from 'hono/jsx';
import type { ApiError, WhoAmI } from '../client/index.js';
import { tierLabel } from './labels.js';

export type Section =
  | 'candidates'
  | 'campaigns'
  | 'reports'
  | 'users'
  | 'settings'
  | 'keys'
  | 'webhooks'
  | 'audit';

const ROLE_ORDER = ['user', 'reporter', 'manager', 'admin'] as const;

/**
 * The sections, each with the least role that can use it (and, for a variant, the role from which
 * the next one takes over): navigation shows only what the role can use, never a page that
 * answers "cannot".
 */
const SECTIONS: {
  id: Section;
  href: string;
  label: string;
  least: WhoAmI['role'];
  below?: WhoAmI['role'];
}[] = [
  // Listing candidates needs the reporter role (`GET /v1/audiences`); a user opens one by id.
  {
    id: 'candidates',
    href: '/console/candidates',
    label: 'Find a candidate',
    least: 'user',
    below: 'reporter',
  },
  { id: 'candidates', href: '/console/candidates', label: 'Candidates', least: 'reporter' },
  { id: 'campaigns', href: '/console/campaigns', label: 'Campaigns', least: 'user' },
  { id: 'reports', href: '/console/reports', label: 'Reports', least: 'reporter' },
  { id: 'users', href: '/console/users', label: 'Users', least: 'manager' },
  { id: 'settings', href: '/console/settings', label: 'Admin settings', least: 'manager' },
  { id: 'keys', href: '/console/keys', label: 'API keys', least: 'manager' },
  { id: 'webhooks', href: '/console/webhooks', label: 'Webhooks', least: 'manager' },
  { id: 'audit', href: '/console/audit', label: 'Audit log', least: 'manager' },
];

export function canUse(who: WhoAmI, least: WhoAmI['role']): boolean {
  return ROLE_ORDER.indexOf(who.role) >= ROLE_ORDER.indexOf(least);
}

function shown(who: WhoAmI, section: { least: WhoAmI['role']; below?: WhoAmI['role'] }) {
  return canUse(who, section.least) && !(section.below && canUse(who, section.below));
}

export function Layout(props: {
  title: string;
  who?: WhoAmI | undefined;
  section?: Section | undefined;
  children?: Child;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · cxm console`}</title>
        <link rel="icon" href="/console/assets/icon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/copy.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/console">
              cxm console
            </a>
            {props.who ? (
              <>
                <nav aria-label="Console">
                  {SECTIONS.filter((section) => props.who && shown(props.who, section)).map(
                    (section) => (
                      <a
                        href={section.href}
                        aria-current={props.section === section.id ? 'page' : undefined}
                      >
                        {section.label}
                      </a>
                    ),
                  )}
                </nav>
                <div class="who">
                  <span>
                    {props.who.displayName ?? 'API key'}
                    {/* Left out on a phone (styles/responsive.ts): the header keeps to two rows. */}
                    <span class="who-detail">
                      {' '}
                      · {props.who.orgName} · role <strong>{props.who.role}</strong>
                      {props.who.licence ? ' · messaging licence' : ''}
                    </span>
                  </span>
                  <form method="post" action="/console/sign-out">
                    <button type="submit">Sign out</button>
                  </form>
                </div>
              </>
            ) : null}
          </div>
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

export function TierBadge(props: { tier: string }) {
  return <span class={`badge ${props.tier}`}>{tierLabel(props.tier)}</span>;
}

/** What went wrong in words a recruiter reads, from what the API answered. */
function headline(problem: ApiError): string {
  if (problem.code === 'forbidden') return 'Your role cannot do this.';
  if (problem.code === 'unauthorized') return 'Your session has ended. Sign in again.';
  if (problem.status === 404) return 'Not found.';
  if (problem.status === 429) return 'Too many requests just now. Try again in a minute.';
  if (problem.status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  return 'This was not done.';
}

/**
 * An API error as a message a recruiter can act on; `hint` says what to do instead. The status and
 * code are for support, not for the reader: they stay on the element as data attributes.
 */
export function Problem(props: { problem: ApiError; hint?: Child }) {
  const { problem } = props;
  return (
    <div
      class="message error"
      role="alert"
      data-status={String(problem.status)}
      data-code={problem.code}
    >
      <strong>{headline(problem)}</strong> {problem.message}
      {problem.issues && problem.issues.length > 0 ? (
        <ul>
          {problem.issues.map((issue) => (
            <li>{issue.path ? `${issue.path}: ${issue.message}` : issue.message}</li>
          ))}
        </ul>
      ) : null}
      {props.hint ? <p>{props.hint}</p> : null}
    </div>
  );
}

/** A page the person's role may not use: said plainly, with what it needs (`children`). */
export function RoleRefused(props: { role: string; cannot: string; children?: Child }) {
  return (
    <div class="message info" role="status">
      <strong>
        Your role ({props.role}) cannot {props.cannot}.
      </strong>{' '}
      {props.children}
    </div>
  );
}

export function Notice(props: { kind: 'info' | 'ok'; children?: Child }) {
  return (
    <div class={`message ${props.kind}`} role="status">
      {props.children}
    </div>
  );
}

export function Tabs(props: {
  label: string;
  tabs: { href: string; label: string; current: boolean }[];
}) {
  return (
    <nav aria-label={props.label}>
      <ul class="tabs">
        {props.tabs.map((tab) => (
          <li>
            <a href={tab.href} aria-current={tab.current ? 'page' : undefined}>
              {tab.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
