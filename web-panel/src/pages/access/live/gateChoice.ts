/**
 * The gate a guard's tablet shows, remembered on that tablet: the one at the east gate
 * reopens on the east gate after a reload or a power cut.
 */
export const GATE_CHOICE_KEY = 'campus.panel.access.gate';

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The stored gate if it still exists; null = every gate. */
export function storedGate(storage: KeyValueStore | undefined, gateIds: readonly string[]): string | null {
  try {
    const v = storage?.getItem(GATE_CHOICE_KEY) ?? null;
    return v !== null && gateIds.includes(v) ? v : null;
  } catch {
    return null; // storage disabled: every gate
  }
}

export function storeGate(storage: KeyValueStore | undefined, gateId: string | null): void {
  try {
    if (gateId === null) storage?.removeItem(GATE_CHOICE_KEY);
    else storage?.setItem(GATE_CHOICE_KEY, gateId);
  } catch {
    // The choice then lasts for this page only.
  }
}
