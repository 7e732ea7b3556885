import { isIP } from 'node:net';
import type { CheckOutcome, CheckReason, CheckRunner } from '../check-runner.js';
import type { IdentityHashes } from './identity-hashes.js';

/** IPv4 ranges no applicant's traffic comes from (RFC 6890 special-purpose, documentation, multicast, reserved). */
const UNROUTABLE_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], ['127.0.0.0', 8], ['169.254.0.0', 16], ['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const v4 = (ip: string) => ip.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
export function unroutableIp(ip: string): boolean {
  if (isIP(ip) === 6) return ip === '::' || ip === '::1' || ip.toLowerCase().startsWith('2001:db8:');
  if (isIP(ip) !== 4) return true;
  return UNROUTABLE_V4.some(([base, bits]) => (v4(ip) >>> (32 - bits)) === (v4(base) >>> (32 - bits)));
}

/**
 * The `device` check: the device the application came from. Findings (refer): `device-shared` when the
 * fingerprint came with more than `deviceIdentityLimit` other national ids (all tenants, by hash);
 * `ip-unroutable` for an address no real client has (loopback, documentation, reserved). No device →
 * pass with `no-device-signal`.
 */
export function createDeviceCheckRunner(deps: { hashes: IdentityHashes; deviceIdentityLimit: number }): CheckRunner {
  return {
    kind: 'device',
    async run(subject): Promise<CheckOutcome> {
      if (!subject.device) return { kind: 'device', result: 'pass', reasons: [{ code: 'no-device-signal', detail: 'the application has no device fingerprint or IP' }], evidence: { provided: false } };
      const hashes = await deps.hashes.record(subject);
      const others = await deps.hashes.otherIdentities('device', hashes.get('device')!, hashes.get('national-id')!);
      const reasons: CheckReason[] = [];
      if (others > deps.deviceIdentityLimit) reasons.push({ code: 'device-shared', detail: `this device came with ${others} other national ids (limit ${deps.deviceIdentityLimit})` });
      const unroutable = unroutableIp(subject.device.ip);
      if (unroutable) reasons.push({ code: 'ip-unroutable', detail: 'the IP is loopback, documentation or reserved space' });
      return {
        kind: 'device',
        result: reasons.length > 0 ? 'refer' : 'pass',
        score: Math.min(1, others / Math.max(1, deps.deviceIdentityLimit)),
        reasons,
        evidence: { provided: true, otherNationalIds: others, limit: deps.deviceIdentityLimit, ipVersion: isIP(subject.device.ip), ipUnroutable: unroutable },
      };
    },
  };
}
