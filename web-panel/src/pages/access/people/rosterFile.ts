/**
 * The edge takes a roster as base64 inside a JSON body limited by `http.maxBodyBytes`
 * (1 MB by default); base64 grows a file by 4/3, so about 750 KB of file fit. Bigger
 * rosters go through `campus-edge roster import` on the box itself.
 */
export const MAX_ROSTER_BYTES = 750 * 1024;

export type RosterFileProblem = 'wrongType' | 'tooBig';

export function rosterFileProblem(file: { name: string; size: number }): RosterFileProblem | null {
  if (!/\.(csv|xlsx)$/i.test(file.name)) return 'wrongType';
  if (file.size > MAX_ROSTER_BYTES) return 'tooBig';
  return null;
}

/** Base64 of raw bytes, in slices so a large file does not overflow the argument list. */
export function toBase64(bytes: Uint8Array): string {
  const SLICE = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += SLICE) binary += String.fromCharCode(...bytes.subarray(i, i + SLICE));
  return btoa(binary);
}
