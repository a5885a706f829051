/**
 * campus-guard: the USB endpoint guard agent for school PCs. Nothing in the product
 * imports this package (it is its own process, `campus-guard`); these exports are for
 * its tests, benchmarks and demo tooling. Wire contracts live in @campus/protocol/usb/*.
 */
export { GuardAgent, type GuardAgentOptions } from './agent.js';
export type { UsbEnforcer } from './enforcer.js';
export { AgentConfigSchema, type AgentConfig, type AgentConfigInput } from '@campus/protocol/usb/agent-config';
export { ConfigError, loadAgentConfig, type LoadedConfig } from './config/load-config.js';
export { LinuxUsbGuard, type GuardObservation } from './linux/linux-usb-guard.js';
export { SysfsUsb } from './linux/sysfs-usb.js';
export { parseUsbDescriptors } from './linux/descriptors.js';
export { FakeUsbKernel, type FakeDeviceSpec } from './fake-kernel/fake-usb-kernel.js';
export { SAMPLE_DEVICES } from './fake-kernel/sample-devices.js';
export { startSimulatedPc } from './demo/simulated-pc.js';
export { planWindowsEnforcement, type WindowsPlan } from './windows/device-install-plan.js';
export { WindowsUsbEnforcer } from './windows/windows-usb-enforcer.js';
