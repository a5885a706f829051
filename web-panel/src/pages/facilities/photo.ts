/** Longest side of a photo as uploaded: a 4 MB phone photo becomes a few hundred KB. */
export const PHOTO_MAX_SIDE = 1600;
const JPEG_QUALITY = 0.8;

/**
 * Shrinks a photo on the phone before upload: decoded by the browser, drawn on a canvas at
 * most PHOTO_MAX_SIDE px on its longest side and encoded as JPEG. A file the browser cannot
 * decode is sent as it is, so the edge (which checks structure, not names) says what is
 * wrong with it in its own words.
 */
export async function resizePhoto(file: Blob): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return file;
  }
  try {
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return file;
    ctx.drawImage(bitmap, 0, 0, w, h);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
    return blob ?? file;
  } finally {
    bitmap.close();
  }
}
