import { useEffect, useState } from 'react';
import { Alert, Button, Card, Popconfirm, Select, Space, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import type { VersionedRecord } from '../api';
import { useConsoleT } from '../i18n';
import { useConsole } from '../session';
import { RecordTable, type FieldSpec } from './RecordTable';

const FIELDS: FieldSpec[] = [
  { name: 'personId', label: 'console.field.personId', type: 'text', required: true },
  { name: 'version', label: 'console.field.cardVersion', type: 'number', required: true, initial: 1 },
  { name: 'revoked', label: 'console.field.revoked', type: 'bool', initial: false },
  { name: 'validUntil', label: 'console.field.until', type: 'datetime' },
];

/**
 * Cards (卡片): issue (a card record, key = the person's id), reissue (the version goes up:
 * every older printed card is refused at the gates) and revoke (挂失: this version too).
 */
export default function CardsPage() {
  const { t } = useConsoleT();
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <PrintPanel />
      <RecordTable
        kind="card"
        fields={FIELDS}
        keyHint="console.field.personId"
        search={(r, text) => r.key.includes(text) || String(r.data.personId ?? '').includes(text)}
        rowActions={(r, save) => {
          const d = r.data as { personId: string; version: number; revoked: boolean };
          return (
            <>
              <Button size="small" onClick={() => void save(r.key, { ...d, version: d.version + 1, revoked: false }, r.version)}>
                {t('console.cards.reissue')}
              </Button>
              {!d.revoked && (
                <Popconfirm title={t('console.cards.revoke_confirm')} onConfirm={() => void save(r.key, { ...d, revoked: true }, r.version)}>
                  <Button size="small" danger data-testid={`revoke-${r.key}`}>
                    {t('console.cards.revoke')}
                  </Button>
                </Popconfirm>
              )}
            </>
          );
        }}
      />
    </Space>
  );
}

/**
 * Card print sheets (打印卡片): the selected people's cards as a PDF (A4, ten a page, cut
 * marks), signed by the cloud at each card's version; a person without a card gets one.
 */
function PrintPanel() {
  const { api, schoolId } = useConsole();
  const { t, locale } = useConsoleT();
  const [people, setPeople] = useState<VersionedRecord[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    if (!schoolId) return;
    void (async () => {
      const all: VersionedRecord[] = [];
      let after = '';
      for (;;) {
        const page = await api.get<{ records: VersionedRecord[]; next: string | null }>(`/schools/${schoolId}/roster/person?limit=1000&after=${encodeURIComponent(after)}`);
        all.push(...page.records);
        if (!page.next) break;
        after = page.next;
      }
      setPeople(all);
    })().catch(() => undefined);
  }, [api, schoolId]);

  const print = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await fetch(`/api/staff/schools/${schoolId}/card-sheets`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/pdf, application/json', ...(api.csrfToken ? { 'x-csrf-token': api.csrfToken } : {}) },
        body: JSON.stringify({ personIds: chosen }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: Record<string, string> } } | null;
        setError(body?.error?.message?.[locale] ?? t('console.error.unexpected', { status: res.status }));
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `校园卡-${chosen.length}.pdf`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setDone(t('console.cards.printed', { count: chosen.length }));
    } catch {
      setError(t('console.error.network'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('console.cards.print_title')} data-testid="card-print">
      <Typography.Paragraph type="secondary">{t('console.cards.print_hint')}</Typography.Paragraph>
      <Space wrap style={{ width: '100%' }}>
        <Select
          mode="multiple"
          allowClear
          style={{ minWidth: 320, maxWidth: '100%' }}
          placeholder={t('console.cards.print_choose')}
          value={chosen}
          onChange={setChosen}
          optionFilterProp="label"
          options={people.map((p) => ({ value: p.key, label: `${p.key} ${String((p.data as { name?: string }).name ?? '')}` }))}
          data-testid="card-print-people"
        />
        <Button type="primary" icon={<PrinterOutlined />} disabled={!chosen.length} loading={busy} onClick={() => void print()} data-testid="card-print-run">
          {t('console.cards.print')}
        </Button>
      </Space>
      {error && <Alert style={{ marginTop: 12 }} type="error" showIcon title={error} data-testid="card-print-error" />}
      {done && <Alert style={{ marginTop: 12 }} type="success" showIcon title={done} data-testid="card-print-done" />}
    </Card>
  );
}
