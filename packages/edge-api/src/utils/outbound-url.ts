// Where the worker may send requests an organisation configured (its webhook URL, its identity
// provider's issuer). The worker calls these URLs itself, so a private or loopback target would
// let a caller reach the worker's own network.

/** Names that only ever mean this machine or a private network (RFC 6761, 6762, 8375). */
const LOCAL_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa'];

/** The loopback hosts the dev flags (`ALLOW_LOCAL_WEBHOOKS`, `LOCAL_DEMO`) let through. */
const DEV_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where the worker may call: https to a public DNS name. Refused: IP literals of any kind
 * (so 127/8, 10/8, 172.16/12, 192.168/16, 169.254/16, ::1, fc00::/7, fe80::/10 and every
 * spelling the URL parser turns into one, such as `2130706433` or `0x7f000001`), single-label
 * names, and `localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`. With
 * `allowLocal` (a dev flag) http(s)://localhost, 127.0.0.1 and [::1] are allowed for the local
 * demo; nothing else private is.
 */
export function outboundUrlProblem(url: string, allowLocal = false): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be https';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (allowLocal && DEV_HOSTS.has(host)) return null;
  if (parsed.protocol !== 'https:') return 'must be https';
  if (host.startsWith('[') || /^[\d.]+$/.test(host)) {
    return 'must be a public DNS name, not an IP address';
  }
  if (LOCAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) {
    return 'must be a public DNS name, not a loopback or private-network name';
  }
  if (!host.includes('.')) return 'must be a public DNS name (a single-label host is private)';
  return null;
}

/** Whether a dev flag (`ALLOW_LOCAL_WEBHOOKS`, `LOCAL_DEMO`) is on (`"true"` or `"1"`). */
export function flagOn(flag: string | undefined): boolean {
  return flag === 'true' || flag === '1';
}
