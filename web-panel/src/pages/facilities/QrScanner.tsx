import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Flex, Input, type InputRef } from 'antd';
import { CameraOutlined, CloseOutlined } from '@ant-design/icons';
import { useFacText } from './useFacText';

/** Frames are decoded at most this wide: enough for a tag filling a third of the picture. */
const DECODE_WIDTH = 640;
const DECODE_EVERY_MS = 150;

type CameraState = { kind: 'off' } | { kind: 'starting' } | { kind: 'on' } | { kind: 'failed'; reason: 'denied' | 'none' | 'insecure' | 'other' };

/**
 * Reads a printed tag: the phone's camera (getUserMedia + jsQR) or a handheld scanner /
 * typing into the field (a scanner types the tag text and Enter). Calls `onScan` once per
 * decoded text; the camera stops after a read.
 */
export function QrScanner({ onScan, busy = false, autoCamera = false, testId = 'scanner' }: { onScan: (text: string) => void; busy?: boolean; autoCamera?: boolean; testId?: string }) {
  const { t } = useFacText();
  const [camera, setCamera] = useState<CameraState>({ kind: 'off' });
  const [text, setText] = useState('');
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  const input = useRef<InputRef>(null);
  const onScanRef = useRef(onScan);
  useEffect(() => {
    onScanRef.current = onScan;
  });

  const stop = useCallback(() => {
    clearInterval(timer.current);
    timer.current = undefined;
    for (const track of stream.current?.getTracks() ?? []) track.stop();
    stream.current = null;
    setCamera((c) => (c.kind === 'failed' ? c : { kind: 'off' }));
  }, []);

  const start = useCallback(async () => {
    // Browsers offer the camera only to pages opened over HTTPS (or on localhost).
    if (!window.isSecureContext) return setCamera({ kind: 'failed', reason: 'insecure' });
    if (!navigator.mediaDevices?.getUserMedia) return setCamera({ kind: 'failed', reason: 'none' });
    setCamera({ kind: 'starting' });
    try {
      const [media, { default: jsQR }] = await Promise.all([
        navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false }),
        import('jsqr'),
      ]);
      stream.current = media;
      const el = video.current;
      if (!el) return stop();
      el.srcObject = media;
      await el.play().catch(() => undefined);
      setCamera({ kind: 'on' });
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      timer.current = setInterval(() => {
        if (!ctx || el.readyState < 2 || !el.videoWidth) return;
        const scale = Math.min(1, DECODE_WIDTH / el.videoWidth);
        canvas.width = Math.round(el.videoWidth * scale);
        canvas.height = Math.round(el.videoHeight * scale);
        ctx.drawImage(el, 0, 0, canvas.width, canvas.height);
        const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'dontInvert' });
        if (code?.data) {
          stop();
          onScanRef.current(code.data);
        }
      }, DECODE_EVERY_MS);
    } catch (err) {
      stop();
      const name = (err as { name?: string }).name;
      setCamera({ kind: 'failed', reason: name === 'NotAllowedError' ? 'denied' : name === 'NotFoundError' ? 'none' : 'other' });
    }
  }, [stop]);

  useEffect(() => {
    if (autoCamera) void start();
    return stop;
  }, [autoCamera, start, stop]);

  const submit = () => {
    const value = text.trim();
    if (!value) return;
    setText('');
    onScanRef.current(value);
  };

  const live = camera.kind === 'on' || camera.kind === 'starting';
  return (
    <Flex vertical gap="small" className="fac-scanner" data-testid={testId} data-camera={camera.kind}>
      <div className={live ? 'fac-camera fac-camera-on' : 'fac-camera'}>
        <video ref={video} muted playsInline data-testid={`${testId}-video`} />
        {live && <div className="fac-camera-frame" aria-hidden />}
      </div>
      {camera.kind === 'failed' && <Alert type="warning" showIcon message={t(`fac.scan.camera.${camera.reason}`)} />}
      {live ? (
        <Button size="large" block icon={<CloseOutlined />} onClick={stop} data-testid={`${testId}-stop`}>
          {t('fac.scan.stop')}
        </Button>
      ) : (
        <Button type="primary" size="large" block icon={<CameraOutlined />} onClick={() => void start()} disabled={busy} data-testid={`${testId}-camera`}>
          {t('fac.scan.camera')}
        </Button>
      )}
      <Input
        ref={input}
        size="large"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onPressEnter={submit}
        placeholder={t('fac.scan.manual')}
        disabled={busy}
        autoComplete="off"
        data-testid={`${testId}-input`}
        enterKeyHint="go"
      />
    </Flex>
  );
}
