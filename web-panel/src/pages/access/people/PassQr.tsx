import { useEffect, useState } from 'react';
import { Alert, Spin } from 'antd';
import { useAccessText } from '../shared/useAccessText';

/**
 * The same settings the edge uses for its own SVG (edge-agent/src/access/issue-pass.ts),
 * so a pass shown here and one printed from the API are the same picture.
 */
export const PASS_QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 2 } as const;

/** An SVG document as an image source: an <img> never runs anything inside it. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

type QrState = { text: string; url: string } | { text: string; failed: true };

/**
 * Draws the pass's QR in the browser from its credential text. The QR library is loaded
 * on first use, so only the people page pays for it, and only when a pass is issued.
 */
export function PassQr({ credential }: { credential: string }) {
  const { t } = useAccessText();
  const [state, setState] = useState<QrState | null>(null);

  useEffect(() => {
    let cancelled = false;
    import('qrcode')
      .then((qr) => qr.toString(credential, PASS_QR_OPTIONS))
      .then(
        (svg) => !cancelled && setState({ text: credential, url: svgDataUrl(svg) }),
        (err: unknown) => {
          console.error('panel: pass QR not drawn', err);
          if (!cancelled) setState({ text: credential, failed: true });
        },
      );
    return () => {
      cancelled = true;
    };
  }, [credential]);

  if (!state || state.text !== credential) return <Spin size="large" className="pass-qr" />;
  if ('failed' in state) return <Alert type="warning" showIcon title={t('panel.access.pass.qrFailed')} />;
  return <img className="pass-qr" src={state.url} alt={t('panel.access.pass.qrAlt')} data-testid="pass-qr" />;
}
