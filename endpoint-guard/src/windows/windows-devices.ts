import type { UsbDevice, UsbInterface } from '@campus/protocol/usb/device';

/**
 * Windows' view of USB devices: PnP device nodes with an instance id, hardware ids and
 * compatible ids. A composite device is a parent node (compatible id USB\COMPOSITE)
 * with one child per function, named ...&MI_xx; a single-function device is one node.
 *
 *   USB\VID_0781&PID_5567\4C530001230101104512     a drive; the last part is its serial
 *   USB\VID_1A86&PID_E026&MI_01\7&1B2C3D4E&0&0001  function 1 of a composite stick
 *   USB\Class_08&SubClass_06&Prot_50               a compatible id: mass storage, bulk-only
 */
export interface WindowsUsbNode {
  instanceId: string;
  hardwareIds: string[];
  compatibleIds: string[];
  parentInstanceId?: string | null;
  /** Whether the node is currently disabled (pnputil /disable-device or Device Manager). */
  disabled?: boolean;
}

export interface ParsedInstanceId {
  vid: string;
  pid: string;
  /** Function number of a composite child (MI_xx), else null. */
  mi: number | null;
  /** The device serial when Windows used it as the instance part; generated ids contain '&'. */
  serial: string | null;
}

const INSTANCE_RE = /^USB\\VID_([0-9A-F]{4})&PID_([0-9A-F]{4})(?:&MI_([0-9A-F]{2}))?\\(.+)$/i;
const CLASS_RE = /^USB\\Class_([0-9A-F]{2})(?:&SubClass_([0-9A-F]{2}))?(?:&Prot_([0-9A-F]{2}))?$/i;

export function parseInstanceId(id: string): ParsedInstanceId | null {
  const m = INSTANCE_RE.exec(id);
  if (!m) return null;
  const instance = m[4]!;
  return {
    vid: m[1]!.toLowerCase(),
    pid: m[2]!.toLowerCase(),
    mi: m[3] !== undefined ? parseInt(m[3], 16) : null,
    serial: m[3] === undefined && !instance.includes('&') ? instance : null,
  };
}

/** The most specific USB class triple among compatible ids. */
export function classOf(node: WindowsUsbNode): { class: number; subClass: number; protocol: number } | null {
  let best: { class: number; subClass: number; protocol: number; rank: number } | null = null;
  for (const id of node.compatibleIds) {
    const m = CLASS_RE.exec(id);
    if (!m) continue;
    const rank = (m[2] ? 1 : 0) + (m[3] ? 1 : 0);
    if (!best || rank > best.rank) {
      best = { class: parseInt(m[1]!, 16), subClass: m[2] ? parseInt(m[2], 16) : 0, protocol: m[3] ? parseInt(m[3], 16) : 0, rank };
    }
  }
  return best && { class: best.class, subClass: best.subClass, protocol: best.protocol };
}

export function isComposite(node: WindowsUsbNode): boolean {
  return node.compatibleIds.some((c) => c.toUpperCase() === 'USB\\COMPOSITE');
}

/** A top-level device node and the function nodes the decision applies to. */
export interface WindowsDeviceGroup {
  parent: WindowsUsbNode;
  device: UsbDevice;
  /** Node per interface number: the MI child for composites, the parent itself otherwise. */
  nodeByInterface: Map<number, WindowsUsbNode>;
}

/** Groups nodes into devices the shared decision understands. Root hubs are skipped. */
export function groupWindowsDevices(nodes: readonly WindowsUsbNode[]): WindowsDeviceGroup[] {
  const groups: WindowsDeviceGroup[] = [];
  for (const parent of nodes) {
    const id = parseInstanceId(parent.instanceId);
    if (!id || id.mi !== null) continue;
    const nodeByInterface = new Map<number, WindowsUsbNode>();
    const interfaces: UsbInterface[] = [];
    if (isComposite(parent)) {
      for (const child of nodes) {
        const cid = parseInstanceId(child.instanceId);
        if (!cid || cid.mi === null || cid.vid !== id.vid || cid.pid !== id.pid) continue;
        if (child.parentInstanceId && child.parentInstanceId.toUpperCase() !== parent.instanceId.toUpperCase()) continue;
        const cls = classOf(child);
        if (!cls) continue;
        nodeByInterface.set(cid.mi, child);
        interfaces.push({ config: 1, number: cid.mi, alternate: 0, ...cls });
      }
    } else {
      const cls = classOf(parent);
      if (cls) {
        nodeByInterface.set(0, parent);
        interfaces.push({ config: 1, number: 0, alternate: 0, ...cls });
      }
    }
    groups.push({
      parent,
      nodeByInterface,
      device: { vid: id.vid, pid: id.pid, serial: id.serial, port: '', manufacturer: null, product: null, interfaces, problems: [] },
    });
  }
  return groups;
}
