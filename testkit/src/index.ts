/**
 * @campus/testkit — what every package's tests share. Tests only: no package's src
 * may import it (scripts/check-deps.mjs). Imported by subpath, so that not every test
 * loads them: `@campus/testkit/i18n` and `./vitest-setup` (need vitest),
 * `@campus/testkit/postgres` (real PostgreSQL: TEST_DATABASE_URL, a database per suite).
 */
export { waitFor, sleep, type Probe, type WaitOptions } from './wait.js';
export { FakeClock, shanghai, type TimeServiceLike, type TimerCallback, type Cancel } from './fake-clock.js';
export { PtyPair, openPtyPair } from './pty.js';
export {
  PYTHON,
  PymodbusBoard,
  freePort,
  peerScript,
  runPymodbusClient,
  startPymodbusSlave,
  startPymodbusTcp,
  type CoilWrite,
  type PymodbusClientResult,
  type PymodbusClientSpec,
  type PymodbusSlave,
  type PymodbusSlaveSpec,
  type PymodbusTables,
} from './pymodbus.js';
export { startPushReceiver, type PushReceiver, type ReceivedPush, type TestSubscription } from './push-receiver.js';
export { makeEvent, gatePass, accessDecisionData, attendanceEvent } from './events.js';
export { cloudSchoolAdmin, readBody, type CloudSchoolAdmin, type CloudRecordWrite, type CloudAnswer } from './cloud-school.js';
export { appGuardianSignIn, appStaffSignIn, type AppPage, type SentSms } from './app-signin.js';
