export interface FakeClockConfig {
  realStart: number;
  fakeStart: number;
  speed: number;
  idleSpeed: number;
  windows: Array<[number, number]>;
}
export interface FakeClock {
  config: FakeClockConfig;
  now(): number;
  fakeAt(real: number): number;
  realAt(fake: number): number;
  realDelayUntil(fake: number): number;
}
export function windowsAround(instants: number[], before?: number, after?: number): Array<[number, number]>;
export function fakeClock(config: FakeClockConfig): FakeClock;
export function installFakeDate(config: FakeClockConfig): FakeClock;
