import { useRef, useState } from 'react';
import { Alert, Button, Drawer, Flex, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../../ui/ResponsiveTable';
import { UploadOutlined } from '@ant-design/icons';
import type { RosterImportReport, RosterProblemView } from '@campus/protocol/access/index';
import { uploadRoster } from '../../../api/access-roster';
import type { ApiError } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { useAccessText } from '../shared/useAccessText';
import { MAX_ROSTER_BYTES, rosterFileProblem, toBase64 } from './rosterFile';

type Step =
  | { kind: 'idle' }
  | { kind: 'busy'; fileName: string }
  | { kind: 'checked'; fileName: string; contentBase64: string; report: RosterImportReport }
  | { kind: 'imported'; fileName: string; report: RosterImportReport }
  | { kind: 'failed'; message: string };

/**
 * 导入名单: choose a file, the edge checks every row (nothing is written), the report
 * shows each problem in the user's language; only a clean file can be imported.
 */
export function RosterImportDrawer(props: { open: boolean; onClose: () => void; onImported: () => void }) {
  const { api } = useSession();
  const { locale, t } = useAccessText();
  const input = useRef<HTMLInputElement>(null);
  const [step, setStep] = useState<Step>({ kind: 'idle' });

  async function check(file: File) {
    const problem = rosterFileProblem(file);
    if (problem === 'wrongType') return setStep({ kind: 'failed', message: t('panel.access.import.wrongType') });
    if (problem === 'tooBig') return setStep({ kind: 'failed', message: t('panel.access.import.tooBig', { maxKb: MAX_ROSTER_BYTES / 1024 }) });
    setStep({ kind: 'busy', fileName: file.name });
    let contentBase64: string;
    try {
      contentBase64 = toBase64(new Uint8Array(await file.arrayBuffer()));
    } catch {
      return setStep({ kind: 'failed', message: t('panel.access.import.unreadable') });
    }
    try {
      const report = await uploadRoster(api, { fileName: file.name, contentBase64, dryRun: true });
      setStep({ kind: 'checked', fileName: file.name, contentBase64, report });
    } catch (err) {
      setStep({ kind: 'failed', message: (err as ApiError).text[locale] });
    }
  }

  async function importChecked(fileName: string, contentBase64: string) {
    setStep({ kind: 'busy', fileName });
    try {
      const report = await uploadRoster(api, { fileName, contentBase64, dryRun: false });
      // A file that changed meaning between check and import (someone else imported) comes back with its problems.
      setStep(report.imported ? { kind: 'imported', fileName, report } : { kind: 'checked', fileName, contentBase64, report });
      if (report.imported) props.onImported();
    } catch (err) {
      setStep({ kind: 'failed', message: (err as ApiError).text[locale] });
    }
  }

  const columns: TableColumnsType<RosterProblemView> = [
    { key: 'row', title: t('panel.access.import.col.row'), width: 80, render: (_, p) => p.row ?? t('panel.access.import.wholeFile') },
    { key: 'column', title: t('panel.access.import.col.column'), width: 120, render: (_, p) => p.column ?? '—' },
    { key: 'problem', title: t('panel.access.import.col.problem'), render: (_, p) => p.message[locale] },
  ];
  const problems = (list: RosterProblemView[], testId: string, title: string) =>
    list.length > 0 && (
      <Flex vertical gap="small">
        <Typography.Title level={5}>{t('panel.access.counted', { label: title, count: list.length })}</Typography.Title>
        <ResponsiveTable<RosterProblemView> cardTitle="problem"
          data-testid={testId}
          rowKey={(p) => `${p.row ?? '-'}|${p.column ?? '-'}|${p.code}`}
          size="small"
          columns={columns}
          dataSource={list}
          pagination={list.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        />
      </Flex>
    );

  const busy = step.kind === 'busy';
  const report = step.kind === 'checked' || step.kind === 'imported' ? step.report : null;

  return (
    <Drawer open={props.open} onClose={props.onClose} size="large" title={t('panel.access.import.title')} afterOpenChange={(open) => !open && setStep({ kind: 'idle' })}>
      <Flex vertical gap="middle" data-testid="roster-import">
        <Typography.Paragraph>{t('panel.access.import.hint')}</Typography.Paragraph>
        <input
          ref={input}
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          className="roster-file"
          data-testid="roster-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = ''; // choosing the same (fixed) file again must fire again
            if (file) void check(file);
          }}
        />
        <Flex gap="middle" wrap="wrap">
          <Button size="large" icon={<UploadOutlined />} onClick={() => input.current?.click()} loading={busy} data-testid="roster-choose">
            {t('panel.access.import.choose')}
          </Button>
          {step.kind === 'checked' && step.report.ok && (
            <Button size="large" type="primary" onClick={() => void importChecked(step.fileName, step.contentBase64)} data-testid="roster-confirm">
              {t('panel.access.import.confirm')}
            </Button>
          )}
        </Flex>
        {step.kind === 'busy' && <Alert type="info" showIcon title={t('panel.access.import.checking', { file: step.fileName })} />}
        {step.kind === 'failed' && <Alert type="error" showIcon title={step.message} data-testid="roster-failed" />}
        {step.kind === 'checked' && (
          <Alert
            type={step.report.ok ? 'success' : 'error'}
            showIcon
            data-testid="roster-verdict"
            data-ok={String(step.report.ok)}
            title={
              step.report.ok
                ? t('panel.access.import.valid', { file: step.fileName, total: step.report.total })
                : t('panel.access.import.invalid', { file: step.fileName, count: step.report.errors.length })
            }
          />
        )}
        {step.kind === 'imported' && (
          <Alert
            type="success"
            showIcon
            data-testid="roster-imported"
            title={t('panel.access.import.done', { created: step.report.created, updated: step.report.updated, guardianLinks: step.report.guardianLinks })}
          />
        )}
        {report && problems(report.errors, 'roster-errors', t('panel.access.import.errors'))}
        {report && problems(report.warnings, 'roster-warnings', t('panel.access.import.warnings'))}
      </Flex>
    </Drawer>
  );
}
