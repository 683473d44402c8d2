// Which X-Forwarded-For entries name the client. A proxy appends the address it received the
// request from, so only the entries added by our own proxies can be believed; anything left of
// them was written by the client. Trusting everything (`true`) let a client pick its IP, and
// so its rate-limit bucket, by sending X-Forwarded-For itself.
import { BlockList, isIP } from 'node:net';
import { z } from '@stableyield/config';

/** false: the socket address; a number: that many proxy hops; a string: proxy addresses/CIDRs. */
export type TrustProxy = false | number | string;

const CIDR = /^([^/]+)\/(\d{1,3})$/;

function isAddressOrCidr(entry: string): boolean {
  const cidr = CIDR.exec(entry);
  if (!cidr) return isIP(entry) !== 0;
  const family = isIP(cidr[1]!);
  const bits = Number(cidr[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

/**
 * Parses TRUST_PROXY: `false`/`0` (none), a hop count (`1` behind one ingress), or a comma list
 * of addresses and CIDRs (the ingress controller's pod range). Throws on `true` and on garbage.
 */
export function parseTrustProxy(text: string): TrustProxy {
  const value = text.trim();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true')
    throw new Error(
      "true would let clients choose their IP: give a hop count (1 behind one ingress) or the proxies' CIDRs",
    );
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (entries.length === 0 || bad.length > 0) throw new Error(`not an address or CIDR: ${bad.join(', ') || value}`);
  return entries.join(',');
}

/** fastify's `trustProxy` option for a setting: a hop count becomes "trust the first n hops". */
export function fastifyTrustProxy(setting: TrustProxy): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  const hops = setting;
  return (_address, hop) => hop < hops;
}

/**
 * The client address of a request that arrived from `remoteAddress` with this X-Forwarded-For,
 * as fastify computes it: walk from the socket outwards while the hop is a trusted proxy.
 * For servers that are not fastify (the WebSocket gateway).
 */
export function clientAddress(remoteAddress: string, forwardedFor: string | undefined, setting: TrustProxy): string {
  if (setting === false) return remoteAddress;
  // Nearest first: the socket's peer, then X-Forwarded-For from right to left.
  const hops = [
    remoteAddress,
    ...(forwardedFor ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a.length > 0)
      .reverse(),
  ];
  const trusted =
    typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : trustedAddresses(setting);
  let hop = 0;
  while (hop < hops.length - 1 && trusted(hops[hop]!, hop)) hop++;
  return hops[hop]!;
}

function trustedAddresses(list: string): (address: string) => boolean {
  const blocks = new BlockList();
  for (const entry of list.split(',')) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) blocks.addAddress(address, type);
    else blocks.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const plain = address.replace(/^::ffff:/, '');
    return blocks.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * `TRUST_PROXY` as a configuration field (api, ws-gateway): `parseTrustProxy`'s refusal is reported on the
 * variable.
 */
export const trustProxySetting = z
  .string()
  .default('false')
  .transform((text, ctx) => {
    try {
      return parseTrustProxy(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
