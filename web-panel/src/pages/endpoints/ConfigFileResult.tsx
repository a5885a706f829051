import { Alert, Button, Descriptions, Flex, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useLocale } from '../../i18n/locale';
import type { Provisioned } from './api';

/** Saves the config file in the browser: the password never goes back to the edge. */
function download(p: Provisioned): void {
  const blob = new Blob([JSON.stringify(p.config, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = p.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The one moment the PC's config file (with its password) can be taken. */
export function ConfigFileResult({ provisioned, onDone }: { provisioned: Provisioned; onDone: () => void }) {
  const { t } = useLocale();
  const { config, broker } = provisioned;
  return (
    <Flex vertical gap="middle" data-testid="config-result">
      <Alert type="warning" showIcon title={t('panel.endpoints.config.once')} />
      <Descriptions
        column={1}
        size="small"
        bordered
        items={[
          { key: 'broker', label: t('panel.endpoints.config.broker'), children: <Typography.Text code>{`${broker.host}:${broker.port}`}</Typography.Text> },
          {
            key: 'fp',
            label: t('panel.endpoints.config.fingerprint'),
            children: <Typography.Text className="fingerprint" copyable>{config.edge.fingerprintsSha256[0]}</Typography.Text>,
          },
          { key: 'kid', label: t('panel.endpoints.config.policyKey'), children: <Typography.Text code>{config.policyKeys[0]?.kid}</Typography.Text> },
        ]}
      />
      <Flex gap="middle" justify="flex-end" wrap="wrap">
        <Button type="primary" size="large" icon={<DownloadOutlined />} data-testid="config-download" onClick={() => download(provisioned)}>
          {t('panel.endpoints.config.download')}
        </Button>
        <Button size="large" data-testid="config-done" onClick={onDone}>
          {t('panel.endpoints.config.done')}
        </Button>
      </Flex>
    </Flex>
  );
}
