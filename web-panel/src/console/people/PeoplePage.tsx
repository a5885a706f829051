import { useState } from 'react';
import { Alert, Button, Card, Space, Table, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import type { RosterImportReport, RosterProblemView } from '@campus/protocol/access/api';
import { ApiError, type VersionedRecord } from '../api';
import { useConsoleT } from '../i18n';
import { RecordTable } from '../records/RecordTable';
import { useConsole } from '../session';
import { PERSON_FIELDS } from './fields';

const matches = (r: VersionedRecord, text: string) => {
  const d = r.data as { name?: string; classId?: string };
  return [r.key, d.name ?? '', d.classId ?? ''].some((x) => x.toLowerCase().includes(text.toLowerCase()));
};

/** People and classes: search, versioned edits, and the roster import with the edge's row-level report. */
export default function PeoplePage() {
  const [generation, setGeneration] = useState(0);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ImportPanel onImported={() => setGeneration((g) => g + 1)} />
      <RecordTable key={generation} kind="person" fields={PERSON_FIELDS} search={matches} testId="people-table" />
    </Space>
  );
}

type Report = RosterImportReport & { cursor?: number | null };

function ImportPanel({ onImported }: { onImported: () => void }) {
  const { api, schoolId, noteChange } = useConsole();
  const { t, locale } = useConsoleT();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      const r = await api.post<Report>(`/schools/${schoolId}/roster-import`, { fileName: file.name, contentBase64: btoa(bin), dryRun }, [422]);
      setReport(r);
      if (r.imported) {
        if (r.cursor) noteChange({ what: `${t('console.import.run')} ${file.name}`, cursor: r.cursor });
        onImported();
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    } finally {
      setBusy(false);
    }
  };
  const problemColumns = [
    { title: t('console.import.row'), dataIndex: 'row', width: 70, render: (v: number | null) => v ?? '—' },
    { title: t('console.import.column'), dataIndex: 'column', width: 140, render: (v: string | null) => v ?? '—' },
    { title: t('console.import.problem'), key: 'message', render: (_: unknown, p: RosterProblemView) => p.message[locale] },
  ];
  return (
    <Card title={t('console.import.title')} data-testid="roster-import">
      <Typography.Paragraph type="secondary">{t('console.import.hint')}</Typography.Paragraph>
      <Space wrap>
        <Upload accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" maxCount={1} beforeUpload={(f) => { setFile(f); setReport(null); return false; }} onRemove={() => setFile(null)}>
          <Button icon={<UploadOutlined />}>{t('console.import.choose')}</Button>
        </Upload>
        <Button disabled={!file} loading={busy} onClick={() => void run(true)}>
          {t('console.import.check')}
        </Button>
        <Button type="primary" disabled={!file} loading={busy} onClick={() => void run(false)} data-testid="import-run">
          {t('console.import.run')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} />}
      {report && (
        <div style={{ marginTop: 16 }} data-testid="import-report">
          {report.imported ? (
            <Alert type="success" showIcon title={t('console.import.done', { total: report.total, created: report.created, updated: report.updated, links: report.guardianLinks })} />
          ) : report.ok ? (
            <Alert type="info" showIcon title={t('console.import.checked', { total: report.total })} />
          ) : (
            <Alert type="error" showIcon title={t('console.import.failed', { count: report.errors.length })} />
          )}
          {report.errors.length > 0 && <Table<RosterProblemView> style={{ marginTop: 12 }} size="small" rowKey={(p) => `${p.row}-${p.column}-${p.code}`} columns={problemColumns} dataSource={report.errors} pagination={false} />}
          {report.warnings.length > 0 && (
            <Table<RosterProblemView> style={{ marginTop: 12 }} size="small" title={() => t('console.import.warning')} rowKey={(p) => `w-${p.row}-${p.column}-${p.code}`} columns={problemColumns} dataSource={report.warnings} pagination={false} />
          )}
        </div>
      )}
    </Card>
  );
}
