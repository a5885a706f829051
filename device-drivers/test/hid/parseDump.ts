/** Reads `usbhid-dump -es` text: a header line per report, then its bytes in hex. */
export function parseDump(dump: string): Buffer[] {
  const reports: Buffer[] = [];
  for (const line of dump.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || /STREAM|DESCRIPTOR/.test(trimmed)) continue;
    reports.push(Buffer.from(trimmed.replace(/\s+/g, ''), 'hex'));
  }
  return reports;
}
