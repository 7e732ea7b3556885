import { describe, expect, it } from 'vitest';
import { unroutableIp } from './device-check.js';
import { normaliseIdentity } from './identity-hashes.js';
import { parseVelocityRules } from './velocity-check.js';

describe('identity normalisation (what hashes alike)', () => {
  it.each([
    ['national-id', 'abcpe 1234-f', 'ABCPE1234F'],
    ['bank-account', '5010 0123.4567', '501001234567'],
    ['phone', '+91 98765-43210', '+919876543210'],
    ['phone', '098765 43210', '09876543210'],
    ['email', ' Priya.Sharma@Example.IN ', 'priya.sharma@example.in'],
    ['device', 'FP-ABC', 'fp-abc'],
  ] as const)('%s %j → %j', (kind, value, expected) => {
    expect(normaliseIdentity(kind, value)).toBe(expected);
  });
});

describe('velocity rules', () => {
  it('parses device|ip:<windowSeconds>:<max> lists', () => {
    expect(parseVelocityRules('device:3600:5, ip:86400:100')).toEqual([{ signal: 'device', windowSeconds: 3600, maxApplications: 5 }, { signal: 'ip', windowSeconds: 86400, maxApplications: 100 }]);
  });
  it.each(['phone:60:1', 'device:0:5', 'device:60', 'ip:x:1'])('refuses %s naming it', (spec) => {
    expect(() => parseVelocityRules(spec)).toThrow(spec);
  });
});

describe('unroutable IPs', () => {
  it.each(['127.0.0.1', '0.1.2.3', '169.254.1.1', '192.0.2.44', '198.51.100.7', '203.0.113.9', '224.0.0.1', '255.255.255.255', '::1', '2001:db8::1', 'not-an-ip'])('%s is unroutable', (ip) => {
    expect(unroutableIp(ip)).toBe(true);
  });
  it.each(['49.36.128.10', '10.0.0.8', '192.168.1.20', '8.8.8.8', '2405:201:1::1'])('%s is a real client address (private ranges sit behind NAT)', (ip) => {
    expect(unroutableIp(ip)).toBe(false);
  });
});
