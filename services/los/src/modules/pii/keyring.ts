/**
 * Key-encryption keys (KEKs) from configuration: `LOS_PII_KEKS` = `id:base64key[,id:base64key…]` (each key
 * 32 bytes), `LOS_PII_ACTIVE_KEK` = the id new data keys are wrapped with. Old ids stay listed until
 * `rotateDataKeys` has re-wrapped every data key under the active one.
 */
export interface Keyring {
  readonly activeId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/**
 * Development only: a KEK anyone can read in this repository. A deployment sets LOS_PII_KEKS and
 * LOS_PII_ACTIVE_KEK from its secret store; the id says what this one is, so it is never mistaken for one.
 */
export const DEV_ONLY_PII_KEKS = 'dev-only-insecure-kek-1:ZGV2LW9ubHktaW5zZWN1cmUta2VrLWRvLW5vdC11c2U=';
export const DEV_ONLY_ACTIVE_KEK = 'dev-only-insecure-kek-1';

export function parseKeyring(spec: string, activeId: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    const id = part.slice(0, colon);
    const key = Buffer.from(part.slice(colon + 1), 'base64');
    if (colon <= 0 || !/^[\w.-]{1,64}$/.test(id)) throw new Error(`LOS_PII_KEKS: "${id || part.slice(0, 8)}…" is not id:base64key`);
    if (key.length !== 32) throw new Error(`LOS_PII_KEKS: key ${id} is ${key.length} bytes; AES-256 needs 32`);
    if (keys.has(id)) throw new Error(`LOS_PII_KEKS: key id ${id} appears twice`);
    keys.set(id, key);
  }
  if (!keys.has(activeId)) throw new Error(`LOS_PII_ACTIVE_KEK: ${activeId} is not one of LOS_PII_KEKS (${[...keys.keys()].join(', ')})`);
  return { activeId, keys };
}
