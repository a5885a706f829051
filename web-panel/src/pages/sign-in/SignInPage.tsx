import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { bilingual } from '@campus/protocol/i18n';
import { ApiError } from '../../api/client';
import { lockoutDetailsSchema } from '../../api/schemas';
import type { BilingualText } from '../../api/types';
import { useSession } from '../../auth/session';
import { useLocale } from '../../i18n/locale';
import { LanguageSwitch } from '../../shell/LanguageSwitch';

interface Credentials {
  username: string;
  password: string;
}

type Failure = { kind: 'message'; text: BilingualText } | { kind: 'locked'; until: number };

export default function SignInPage() {
  const { signIn } = useSession();
  const { locale, t } = useLocale();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const secondsLeft = useSecondsUntil(failure?.kind === 'locked' ? failure.until : null);
  const locked = failure?.kind === 'locked' && secondsLeft > 0;

  async function submit(values: Credentials) {
    setBusy(true);
    setFailure(null);
    try {
      await signIn(values.username.trim(), values.password);
    } catch (err) {
      setFailure(toFailure(err));
      setBusy(false);
    }
  }

  let alert = null;
  if (failure?.kind === 'message') alert = failure.text[locale];
  else if (locked) alert = t('panel.signin.locked', { seconds: secondsLeft });

  return (
    <div className="sign-in">
      <div className="sign-in-language">
        <LanguageSwitch />
      </div>
      <Card className="sign-in-card">
        <div className="sign-in-brand">
          <span className="brand-mark">校</span>
          <Typography.Title level={3}>{t('panel.app.title')}</Typography.Title>
          <Typography.Text type="secondary">{t('panel.signin.title')}</Typography.Text>
        </div>
        {alert && <Alert type="error" showIcon title={alert} className="sign-in-alert" data-testid="sign-in-error" />}
        <Form<Credentials> layout="vertical" size="large" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item
            name="username"
            label={t('panel.signin.username')}
            rules={[{ required: true, whitespace: true, message: t('panel.signin.usernameRequired') }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('panel.signin.password')}
            rules={[{ required: true, message: t('panel.signin.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} disabled={locked}>
            {t('panel.signin.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}

function toFailure(err: unknown): Failure {
  if (err instanceof ApiError && err.code === 'auth.locked') {
    const details = lockoutDetailsSchema.safeParse(err.details);
    if (details.success) return { kind: 'locked', until: Date.now() + details.data.retryAfterSec * 1000 };
  }
  if (err instanceof ApiError) return { kind: 'message', text: err.text };
  return { kind: 'message', text: bilingual('panel.error.unexpected', { status: '—' }) };
}

/** Whole seconds until `until`, ticking down once a second; 0 when there is nothing to wait for. */
function useSecondsUntil(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}
