import { Component, type ReactNode } from 'react';
import { Button } from 'antd';
import { useLocale } from '../i18n/locale';
import { StatusNotice } from './StatusNotice';

/** A page chunk that fails to load (edge updated, network gone) shows a reload prompt. */
export class PageBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error('panel: page failed', error);
  }

  override render(): ReactNode {
    return this.state.failed ? <PageFailed /> : this.props.children;
  }
}

function PageFailed() {
  const { t } = useLocale();
  return (
    <StatusNotice
      kind="error"
      title={t('panel.error.pageLoad')}
      action={
        <Button type="primary" onClick={() => window.location.reload()}>
          {t('panel.action.reload')}
        </Button>
      }
    />
  );
}
