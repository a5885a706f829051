// node --import this file (NODE_OPTIONS) with CAMPUS_FAKE_CLOCK set: the process runs on the test's fake clock.
import { installFakeDate } from './fake-clock.mjs';

if (process.env.CAMPUS_FAKE_CLOCK) installFakeDate(JSON.parse(process.env.CAMPUS_FAKE_CLOCK));
