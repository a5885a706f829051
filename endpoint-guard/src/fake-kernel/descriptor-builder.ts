/**
 * Builds the raw descriptor bytes a real device would report (USB 2.0 §9.6), as the
 * kernel exposes them in sysfs `descriptors`: device descriptor, then each
 * configuration with its interface, class-specific and endpoint descriptors.
 */
export interface DescriptorInterfaceSpec {
  number: number;
  alternate?: number;
  class: number;
  subClass?: number;
  protocol?: number;
  endpoints?: number;
}

export interface DescriptorDeviceSpec {
  vid: number;
  pid: number;
  bcdDevice?: number;
  deviceClass?: number;
  configurations: Array<{ value: number; interfaces: DescriptorInterfaceSpec[] }>;
}

export function buildDescriptors(spec: DescriptorDeviceSpec): Buffer {
  const device = Buffer.from([
    18, 0x01,
    0x00, 0x02, // bcdUSB 2.00
    spec.deviceClass ?? 0, 0, 0,
    64,
    spec.vid & 0xff, spec.vid >> 8,
    spec.pid & 0xff, spec.pid >> 8,
    (spec.bcdDevice ?? 0x0100) & 0xff, (spec.bcdDevice ?? 0x0100) >> 8,
    1, 2, spec.configurations.some((c) => c.interfaces.length) ? 3 : 0, // iManufacturer, iProduct, iSerialNumber
    spec.configurations.length,
  ]);
  return Buffer.concat([device, ...spec.configurations.map((c) => buildConfiguration(c.value, c.interfaces))]);
}

function buildConfiguration(value: number, interfaces: DescriptorInterfaceSpec[]): Buffer {
  const body: Buffer[] = [];
  let endpointAddress = 1;
  for (const i of interfaces) {
    const endpoints = i.endpoints ?? (i.class === 0x08 ? 2 : 1);
    body.push(Buffer.from([9, 0x04, i.number, i.alternate ?? 0, endpoints, i.class, i.subClass ?? 0, i.protocol ?? 0, 0]));
    if (i.class === 0x03) body.push(Buffer.from([9, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00])); // HID 1.11, one report descriptor
    for (let e = 0; e < endpoints; e++) {
      const inEp = e % 2 === 0;
      const attributes = i.class === 0x03 || i.class === 0x09 ? 0x03 : 0x02; // interrupt : bulk
      body.push(Buffer.from([7, 0x05, (inEp ? 0x80 : 0) | endpointAddress++, attributes, 0x40, 0x00, i.class === 0x03 ? 10 : 0]));
    }
  }
  const numInterfaces = new Set(interfaces.map((i) => i.number)).size;
  const rest = Buffer.concat(body);
  const total = 9 + rest.length;
  return Buffer.concat([Buffer.from([9, 0x02, total & 0xff, total >> 8, numInterfaces, value, 0, 0x80, 50]), rest]);
}
