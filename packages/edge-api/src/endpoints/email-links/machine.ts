// Which email opens and clicks a machine made. Mail privacy proxies fetch every image of a
// message whether or not a person reads it (Apple Mail Privacy Protection prefetches at delivery
// with a bare `Mozilla/5.0` user agent; Gmail and Yahoo fetch through `GoogleImageProxy` /
// `YahooMailProxy`), and security scanners open and follow links as the message arrives. Such
// events are stored with `machine: true`; the scoring model counts them at `machineFactor`
// of their weight (default 0: not at all).
import { isBotUserAgent } from '../../utils/bots.js';

/** Opens or clicks this soon after the link was minted (the send) are taken as a machine's. */
export const MACHINE_WINDOW_MS = 10_000;

const PROXY_PATTERN = /GoogleImageProxy|ggpht\.com|YahooMailProxy|^Mozilla\/5\.0$/i;

export function isMachineOpen(userAgent: string | undefined, msSinceSend: number): boolean {
  const ua = (userAgent ?? '').trim();
  return PROXY_PATTERN.test(ua) || isBotUserAgent(ua) || msSinceSend < MACHINE_WINDOW_MS;
}

export function isMachineClick(userAgent: string | undefined, msSinceSend: number): boolean {
  return isBotUserAgent(userAgent) || msSinceSend < MACHINE_WINDOW_MS;
}
