// ---- Fn::Cidr and Fn::GetAZs as CloudFormation evaluates them.

/**
 * Fn::Cidr [ipBlock, count, cidrBits]: `count` consecutive blocks of `cidrBits` host bits (a /24 for 8 bits of
 * IPv4), from the start of ipBlock; or what is wrong with the arguments. count is 1 to 256; the blocks must fit
 * in ipBlock. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-cidr.html
 */
export function cidrBlocks(ipBlock: string, count: string, cidrBits: string): { blocks: string[] } | { problem: string } {
  const [address, prefixText, ...rest] = ipBlock.split('/');
  const v4 = address === undefined ? undefined : parseIpv4(address);
  const v6 = v4 === undefined && address !== undefined ? parseIpv6(address) : undefined;
  const width = v4 !== undefined ? 32 : 128;
  const prefix = prefixText !== undefined && /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if ((v4 === undefined && v6 === undefined) || rest.length || !(prefix <= width)) {
    return { problem: `ipBlock ${JSON.stringify(ipBlock)} is not an IPv4 or IPv6 CIDR block` };
  }
  const n = /^\d+$/.test(count) ? Number(count) : NaN;
  if (!(n >= 1 && n <= 256)) return { problem: `count ${JSON.stringify(count)} is not a number from 1 to 256` };
  const bits = /^\d+$/.test(cidrBits) ? Number(cidrBits) : NaN;
  if (!(bits >= 1 && bits <= width - prefix)) {
    return { problem: `cidrBits ${JSON.stringify(cidrBits)} is not a number from 1 to ${width - prefix} (the host bits of ${ipBlock})` };
  }
  if (BigInt(n) > 1n << BigInt(width - prefix - bits)) {
    return { problem: `${n} blocks of ${bits} host bits do not fit in ${ipBlock}` };
  }
  const value = (v4 ?? v6)!;
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const start = value & ~hostMask;
  const size = 1n << BigInt(bits);
  const blocks: string[] = [];
  for (let i = 0n; i < BigInt(n); i++) {
    const at = start + i * size;
    blocks.push(`${v4 !== undefined ? formatIpv4(at) : formatIpv6(at)}/${width - bits}`);
  }
  return { blocks };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

/** RFC 5952's form: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/**
 * What Fn::GetAZs gives for the region, from EC2's answers: the zones with a default subnet, or every zone when
 * none has one, in alphabetical order.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getavailabilityzones.html
 */
export function getAzsAnswer(zones: readonly string[], defaultSubnetZones: readonly string[]): string[] {
  const withDefault = zones.filter((z) => defaultSubnetZones.includes(z));
  return [...(withDefault.length ? withDefault : zones)].sort();
}
