/**
 * HID keyboard usages (HID Usage Tables, page 0x07) to characters on a US layout, the
 * layout keyboard-wedge scanners assume unless reprogrammed. Index: usage id;
 * value: [unshifted, shifted]. Usages absent here have no character.
 */
export const US_LAYOUT: ReadonlyMap<number, readonly [string, string]> = (() => {
  const map = new Map<number, readonly [string, string]>();
  for (let i = 0; i < 26; i++) {
    const lower = String.fromCharCode(0x61 + i);
    map.set(0x04 + i, [lower, lower.toUpperCase()]);
  }
  const digits = '1234567890';
  const shiftedDigits = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) map.set(0x1e + i, [digits[i]!, shiftedDigits[i]!]);
  const punctuation: [number, string, string][] = [
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    // "Non-US # and ~": Linux maps it to the same key as backslash on a US layout.
    [0x32, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
  ];
  for (const [usage, plain, shifted] of punctuation) map.set(usage, [plain, shifted]);
  // Keypad, as scanners in "numeric keypad" mode send digits (they assume Num Lock on).
  const keypad: [number, string][] = [
    [0x54, '/'],
    [0x55, '*'],
    [0x56, '-'],
    [0x57, '+'],
    [0x59, '1'],
    [0x5a, '2'],
    [0x5b, '3'],
    [0x5c, '4'],
    [0x5d, '5'],
    [0x5e, '6'],
    [0x5f, '7'],
    [0x60, '8'],
    [0x61, '9'],
    [0x62, '0'],
    [0x63, '.'],
  ];
  for (const [usage, ch] of keypad) map.set(usage, [ch, ch]);
  return map;
})();

export const USAGE = {
  errorRollOver: 0x01,
  postFail: 0x02,
  errorUndefined: 0x03,
  enter: 0x28,
  tab: 0x2b,
  capsLock: 0x39,
  keypadEnter: 0x58,
} as const;

/** Modifier byte bits of a boot keyboard report. */
export const MODIFIER = {
  leftCtrl: 0x01,
  leftShift: 0x02,
  leftAlt: 0x04,
  leftGui: 0x08,
  rightCtrl: 0x10,
  rightShift: 0x20,
  rightAlt: 0x40,
  rightGui: 0x80,
} as const;

export const SHIFT_MASK = MODIFIER.leftShift | MODIFIER.rightShift;
export const NON_SHIFT_MASK = 0xff & ~SHIFT_MASK;
