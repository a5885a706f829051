import type { InputWatcher, InputChange } from './inputWatcher.js';
import type { GateDirection } from './relayOutput.js';
import type { Turnstile } from './turnstile.js';

export interface PassSensorWiring {
  /** Discrete input that pulses when someone passes inwards / outwards. */
  in?: number;
  out?: number;
  /** Which edge counts: most turnstile "passed" outputs are a short closure ('rise'). */
  edge?: 'rise' | 'fall';
}

/** Feeds a turnstile's passage follow-up from polled inputs. Returns a detach function. */
export function attachPassSensor(turnstile: Turnstile, watcher: InputWatcher, wiring: PassSensorWiring): () => void {
  const wanted = (wiring.edge ?? 'rise') === 'rise';
  const byInput = new Map<number, GateDirection>();
  if (wiring.in !== undefined) byInput.set(wiring.in, 'in');
  if (wiring.out !== undefined) byInput.set(wiring.out, 'out');
  const onChange = (change: InputChange): void => {
    const direction = byInput.get(change.channel);
    if (direction && change.value === wanted) turnstile.reportPass(direction, change.at);
  };
  watcher.on('change', onChange);
  return () => watcher.off('change', onChange);
}
