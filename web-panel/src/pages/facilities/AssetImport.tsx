import { useRef, useState } from 'react';
import { Alert, Button, Flex, Space, Table, Typography } from 'antd';
import { PrinterOutlined, UploadOutlined } from '@ant-design/icons';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { facilitiesApi } from './api';
import { useFacText } from './useFacText';

/** The edge refuses sheets above this (its MAX_SHEET_BYTES); checked here first so nothing big is sent. */
const MAX_SHEET_BYTES = 20 * 1024 * 1024;

type Step = { kind: 'idle' } | { kind: 'busy'; file: string } | { kind: 'imported'; file: string; count: number } | { kind: 'rejected'; file: string; message: string; rows: Array<{ row: number; message: string }> };

/**
 * 导入资产台账: the school's Excel ledger goes to the edge as it is; the edge imports every
 * row or none, and a refused sheet comes back with each bad row (duplicate codes, bad
 * dates …) listed, as the roster import does. Beside it, the register's tag sheet.
 */
export function AssetImport({ onImported }: { onImported: () => void }) {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const input = useRef<HTMLInputElement>(null);
  const [step, setStep] = useState<Step>({ kind: 'idle' });

  const upload = async (file: File) => {
    if (file.size > MAX_SHEET_BYTES) return setStep({ kind: 'rejected', file: file.name, message: t('fac.import.tooBig', { mb: MAX_SHEET_BYTES / 1024 / 1024 }), rows: [] });
    setStep({ kind: 'busy', file: file.name });
    try {
      const r = await facilitiesApi.importAssets(api, file);
      setStep({ kind: 'imported', file: file.name, count: r.imported });
      onImported();
    } catch (err) {
      const e = err as ApiError;
      const rows = (e.details as { rows?: Array<{ row: number; message: string }> } | undefined)?.rows ?? [];
      setStep({ kind: 'rejected', file: file.name, message: e.text?.[locale] ?? String(err), rows: Array.isArray(rows) ? rows : [] });
    }
  };

  return (
    <Flex vertical gap="small" data-testid="asset-import">
      <Space wrap>
        <input
          ref={input}
          type="file"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          style={{ display: 'none' }}
          data-testid="asset-import-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void upload(f);
          }}
        />
        <Button icon={<UploadOutlined />} loading={step.kind === 'busy'} onClick={() => input.current?.click()} data-testid="asset-import-button">
          {t('fac.import.button')}
        </Button>
        <Button icon={<PrinterOutlined />} href="/api/facilities/tag-sheets/assets" target="_blank" data-testid="asset-tag-sheet">
          {t('fac.import.tagSheet')}
        </Button>
        <Typography.Text type="secondary">{t('fac.import.hint')}</Typography.Text>
      </Space>
      {step.kind === 'imported' && <Alert type="success" showIcon message={t('fac.import.done', { count: step.count, file: step.file })} data-testid="asset-import-done" />}
      {step.kind === 'rejected' && (
        <Flex vertical gap="small" data-testid="asset-import-rejected">
          <Alert type="error" showIcon message={step.message} description={step.rows.length ? t('fac.import.nothing') : undefined} />
          {step.rows.length > 0 && (
            <Table
              size="small"
              rowKey={(r) => `${r.row}|${r.message}`}
              dataSource={step.rows}
              pagination={step.rows.length > 50 ? { pageSize: 50 } : false}
              data-testid="asset-import-rows"
              columns={[
                { title: t('fac.import.row'), dataIndex: 'row', width: 80 },
                { title: t('fac.import.problem'), dataIndex: 'message' },
              ]}
            />
          )}
        </Flex>
      )}
    </Flex>
  );
}
