/**
 * What the daemon needs to run the demo campus, in one module the daemon loads only for
 * `campus-edge demo` (or a config with demo.enabled): a real box never loads the demo.
 */
export { DemoCampus, DEMO_ADMIN, DEMO_MQTT } from './campus.js';
export { demoAccessConfig } from '../access/demo-school.js';
export { startDemoDevices } from './devices.js';
export { startLocalCloud } from './local-cloud.js';
export { DEMO_GUARDIANS, postDemoRoster, readDemoCloudLink } from './cloud-roster.js';
