import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Space, Tabs, Typography } from 'antd';
import { LockOutlined, MobileOutlined, UserOutlined } from '@ant-design/icons';
import { LanguageSwitch } from '../shell/LanguageSwitch';
import { ApiError } from './api';
import { useConsoleT } from './i18n';
import { useConsole } from './session';

/** Staff sign-in: username + password, or phone + one-time code (the cloud's staff identities). */
export default function SignIn() {
  const { signIn, api } = useConsole();
  const { t, locale } = useConsoleT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [codeForm] = Form.useForm<{ phone: string; code: string }>();

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    } finally {
      setBusy(false);
    }
  };
  const required = [{ required: true, whitespace: true, message: t('console.signin.required') }];

  return (
    <div className="sign-in">
      <div className="sign-in-language">
        <LanguageSwitch />
      </div>
      <Card className="sign-in-card">
        <div className="sign-in-brand">
          <span className="brand-mark">校</span>
          <Typography.Title level={3}>{t('console.app.title')}</Typography.Title>
          <Typography.Text type="secondary">{t('console.signin.title')}</Typography.Text>
        </div>
        {error && <Alert type="error" showIcon title={error} className="sign-in-alert" data-testid="sign-in-error" />}
        {info && !error && <Alert type="info" showIcon title={info} className="sign-in-alert" />}
        <Tabs
          items={[
            {
              key: 'password',
              label: t('console.signin.password_tab'),
              children: (
                <Form<{ username: string; password: string }> layout="vertical" size="large" requiredMark={false} disabled={busy} onFinish={(v) => run(() => signIn({ username: v.username.trim(), password: v.password }))}>
                  <Form.Item name="username" label={t('console.signin.username')} rules={required}>
                    <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
                  </Form.Item>
                  <Form.Item name="password" label={t('console.signin.password')} rules={required}>
                    <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
                  </Form.Item>
                  <Button type="primary" htmlType="submit" block loading={busy}>
                    {t('console.signin.submit')}
                  </Button>
                </Form>
              ),
            },
            {
              key: 'code',
              label: t('console.signin.code_tab'),
              children: (
                <Form form={codeForm} layout="vertical" size="large" requiredMark={false} disabled={busy} onFinish={(v) => run(() => signIn({ phone: v.phone.trim(), code: v.code.trim() }))}>
                  <Form.Item label={t('console.signin.phone')} required>
                    <Space.Compact style={{ width: '100%' }}>
                      <Form.Item name="phone" noStyle rules={required}>
                        <Input prefix={<MobileOutlined />} autoComplete="tel" inputMode="tel" />
                      </Form.Item>
                      <Button
                        onClick={() =>
                          run(async () => {
                            const phone = String(codeForm.getFieldValue('phone') ?? '').trim();
                            await api.post('/session/code', { phone });
                            setInfo(t('console.signin.code_sent'));
                          })
                        }
                      >
                        {t('console.signin.send_code')}
                      </Button>
                    </Space.Compact>
                  </Form.Item>
                  <Form.Item name="code" label={t('console.signin.code')} rules={required}>
                    <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
                  </Form.Item>
                  <Button type="primary" htmlType="submit" block loading={busy}>
                    {t('console.signin.submit')}
                  </Button>
                </Form>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
