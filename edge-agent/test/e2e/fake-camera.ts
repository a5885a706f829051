import { QR_QUIET_MODULES, qrRuns } from '../../src/cards/qr-draw.js';

/**
 * A y4m video (YUV 4:2:0, 640×480) of a QR code on white: the raw format Chromium's fake
 * capture device plays in a loop (`--use-fake-device-for-media-stream
 * --use-file-for-fake-video-capture=<file>`). Dark modules are Y=16, light Y=235, no colour.
 * The QR code is drawn by the tag sheets' own encoder, so the phone reads what is printed.
 */
export function qrVideo(text: string, frames = 4): Buffer {
  const W = 640;
  const H = 480;
  const { size, runs } = qrRuns(text);
  const px = Math.floor(360 / (size + 2 * QR_QUIET_MODULES));
  const side = px * size;
  const ox = Math.floor((W - side) / 2);
  const oy = Math.floor((H - side) / 2);
  const y = Buffer.alloc(W * H, 235);
  for (const r of runs) {
    for (let dy = 0; dy < px; dy++) y.fill(16, (oy + r.row * px + dy) * W + ox + r.col * px, (oy + r.row * px + dy) * W + ox + (r.col + r.length) * px);
  }
  const uv = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, uv]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array.from({ length: frames }, () => frame)]);
}
