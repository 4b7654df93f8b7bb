import { describe, expect, it } from 'vitest';
import { cidrBlocks, getAzsAnswer } from '../../../src/core/mesh/sources/cfn-network.js';

describe('Fn::Cidr as CloudFormation computes it', () => {
  it.each([
    // The reference's own example: six /27s from a /24.
    [
      ['192.168.0.0/24', '6', '5'],
      ['192.168.0.0/27', '192.168.0.32/27', '192.168.0.64/27', '192.168.0.96/27', '192.168.0.128/27', '192.168.0.160/27'],
    ],
    [
      ['10.0.0.0/16', '3', '8'],
      ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'],
    ],
    // Host bits set in the block: the blocks start at its network address.
    [
      ['10.0.7.9/16', '2', '12'],
      ['10.0.0.0/20', '10.0.16.0/20'],
    ],
    [['10.0.0.0/24', '1', '8'], ['10.0.0.0/24']],
    [
      ['0.0.0.0/0', '2', '31'],
      ['0.0.0.0/1', '128.0.0.0/1'],
    ],
    // IPv6: a VPC's /56 into /64s (64 host bits), written in RFC 5952's short form.
    [
      ['2600:1f14:abc:ee00::/56', '3', '64'],
      ['2600:1f14:abc:ee00::/64', '2600:1f14:abc:ee01::/64', '2600:1f14:abc:ee02::/64'],
    ],
    [
      ['2001:DB8:0:0:1::/80', '2', '40'],
      ['2001:db8:0:0:1::/88', '2001:db8::1:100:0:0/88'],
    ],
  ])('%j', (args, blocks) => {
    expect(cidrBlocks(args[0]!, args[1]!, args[2]!)).toEqual({ blocks });
  });

  it('256 /32s from a /24 fit; a 257th block and blocks larger than the input do not', () => {
    const all = cidrBlocks('10.1.2.0/24', '256', '1');
    expect(all).toEqual({ problem: '256 blocks of 1 host bits do not fit in 10.1.2.0/24' });
    const got = cidrBlocks('10.1.2.0/23', '256', '1');
    expect('blocks' in got && [got.blocks.length, got.blocks[0], got.blocks[255]]).toEqual([256, '10.1.2.0/31', '10.1.3.254/31']);
    expect(cidrBlocks('10.0.0.0/24', '1', '9')).toEqual({
      problem: 'cidrBits "9" is not a number from 1 to 8 (the host bits of 10.0.0.0/24)',
    });
  });

  it.each([
    [['10.0.0/16', '1', '8'], 'ipBlock "10.0.0/16" is not an IPv4 or IPv6 CIDR block'],
    [['10.0.0.256/16', '1', '8'], 'ipBlock "10.0.0.256/16" is not an IPv4 or IPv6 CIDR block'],
    [['10.0.0.0', '1', '8'], 'ipBlock "10.0.0.0" is not an IPv4 or IPv6 CIDR block'],
    [['10.0.0.0/33', '1', '8'], 'ipBlock "10.0.0.0/33" is not an IPv4 or IPv6 CIDR block'],
    [['1::2::3/64', '1', '8'], 'ipBlock "1::2::3/64" is not an IPv4 or IPv6 CIDR block'],
    [['10.0.0.0/16', '0', '8'], 'count "0" is not a number from 1 to 256'],
    [['10.0.0.0/16', '257', '8'], 'count "257" is not a number from 1 to 256'],
    [['10.0.0.0/16', 'two', '8'], 'count "two" is not a number from 1 to 256'],
    [['10.0.0.0/16', '1', '0'], 'cidrBits "0" is not a number from 1 to 16 (the host bits of 10.0.0.0/16)'],
  ])('refuses %j', (args, problem) => {
    expect(cidrBlocks(args[0]!, args[1]!, args[2]!)).toEqual({ problem });
  });
});

describe('Fn::GetAZs from EC2 answers', () => {
  it('the zones with a default subnet, alphabetical; every zone when none has one', () => {
    expect(getAzsAnswer(['b', 'c', 'a'], ['c', 'a', 'x'])).toEqual(['a', 'c']);
    expect(getAzsAnswer(['b', 'c', 'a'], [])).toEqual(['a', 'b', 'c']);
  });
});
