/**
 * Sessions Portcullis ended (back-channel logout): the Auth.js session is a cookie the server
 * cannot delete, so each request checks its `sid` here. Kept in the server process; with
 * several instances, keep it in a shared store (Redis) instead.
 */

type Store = { sids: Map<string, number>; jtis: Map<string, number> };
const g = globalThis as typeof globalThis & { __portcullisRevocations?: Store };
const store: Store = (g.__portcullisRevocations ??= { sids: new Map(), jtis: new Map() });

const DAY = 86_400_000;

function sweep(map: Map<string, number>) {
  const now = Date.now();
  for (const [k, until] of map) if (until < now) map.delete(k);
}

/** Ends every Auth.js session of Portcullis session `sid`. */
export function revokeSid(sid: string) {
  sweep(store.sids);
  store.sids.set(sid, Date.now() + 30 * DAY);
}

/** Whether Portcullis ended session `sid`. */
export function isRevoked(sid: string | undefined): boolean {
  return sid !== undefined && store.sids.has(sid);
}

/** Records a logout token's `jti`; `false` if it was seen before (a replay). */
export function firstUse(jti: string): boolean {
  sweep(store.jtis);
  if (store.jtis.has(jti)) return false;
  store.jtis.set(jti, Date.now() + DAY);
  return true;
}
