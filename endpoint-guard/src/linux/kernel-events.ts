/**
 * Kernel USB events as the guard needs them. The real source is the kernel's uevent
 * netlink socket, which Node cannot open without native code, so production reads it
 * through `udevadm monitor` (udevadm-monitor.ts); where that is unavailable the sysfs
 * poller stands in; tests plug the fake kernel in directly.
 *
 * 'resync' means "events may have been missed" (a watcher restarted): the guard then
 * rescans every device instead of trusting its picture of the bus.
 */
export type UsbKernelAction = 'add' | 'remove' | 'change' | 'bind' | 'unbind' | 'move' | 'resync';

export interface UsbKernelEvent {
  action: UsbKernelAction;
  /** Kernel name: "1-1.2" or "1-1.2:1.0"; empty for resync. */
  name: string;
  /** Milliseconds (performance.now) when the event reached the agent, for latency tracking. */
  receivedAt: number;
}

export type UsbKernelListener = (e: UsbKernelEvent) => void;

export interface UsbKernelEventSource {
  /** Starts delivering events; resolves once the source is listening. */
  start(listener: UsbKernelListener): Promise<void>;
  stop(): Promise<void>;
}
