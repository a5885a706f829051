import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Rule } from 'antd/es/form';
import { ApiError, conflictCurrent, type VersionedRecord } from '../api';
import { useConsoleT } from '../i18n';
import type { ConsoleMessageId } from '../messages';
import { useConsole } from '../session';

export type FieldType = 'text' | 'number' | 'bool' | 'select' | 'multi' | 'datetime' | 'json';

export interface FieldSpec {
  name: string;
  label: ConsoleMessageId;
  type: FieldType;
  options?: { value: string; label: ConsoleMessageId }[];
  required?: boolean;
  /** Shown in the table (default true). */
  column?: boolean;
  /** Value when a new record is made. */
  initial?: unknown;
  /** How the table shows the value (default: as text). */
  render?: (value: unknown) => string;
  /** Help under the input. */
  extra?: ConsoleMessageId;
  /** An input of its own (it gets the form's value and onChange). */
  input?: () => ReactNode;
  /** Checks in the form before anything is sent (the cloud checks again), and the fields they read. */
  rules?: Rule[];
  dependencies?: string[];
}

export interface RecordTableProps {
  /** A roster record kind, or 'usb_policy' (its own route). */
  kind: string;
  fields: FieldSpec[];
  /** Extra buttons of a row (card reissue/revoke). */
  rowActions?: (rec: VersionedRecord, save: (key: string, data: Record<string, unknown>, version: number | null) => Promise<boolean>) => ReactNode;
  /** Filters the rows shown by a search text. */
  search?: (rec: VersionedRecord, text: string) => boolean;
  keyHint?: ConsoleMessageId;
  testId?: string;
  /** The staff API folder of the kind (default `roster`; the bus model is under `bus`). */
  folder?: string;
  /** Width of the edit dialog (default 640). */
  modalWidth?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const toLocal = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const formatValue = (v: unknown, type: FieldType, yes: string, no: string): string => {
  if (v === undefined || v === null || v === '') return '—';
  if (type === 'bool') return v ? yes : no;
  if (type === 'datetime' && typeof v === 'number') return toLocal(v).replace('T', ' ');
  if (Array.isArray(v)) return v.join('、');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/**
 * A list of one kind of cloud-owned record with versioned edits: a save names the version
 * it was based on; when someone else saved meanwhile the cloud answers 409 and this shows,
 * field by field, what is there now next to what you typed.
 */
export function RecordTable({ kind, fields, rowActions, search, keyHint, testId, folder = 'roster', modalWidth = 640 }: RecordTableProps) {
  const { api, schoolId, noteChange } = useConsole();
  const { t, locale } = useConsoleT();
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<VersionedRecord[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<{ key: string | null; record: VersionedRecord | null } | null>(null);
  const [conflict, setConflict] = useState<{ yours: Record<string, unknown>; current: VersionedRecord | null } | null>(null);
  const [form] = Form.useForm();
  const base = kind === 'usb_policy' ? `/schools/${schoolId}/usb-policies` : `/schools/${schoolId}/${folder}/${kind}`;

  const load = useCallback(async () => {
    if (!schoolId) return;
    setLoading(true);
    setError(null);
    try {
      const all: VersionedRecord[] = [];
      let after = '';
      for (;;) {
        const page = await api.get<{ records: VersionedRecord[]; next: string | null }>(`${base}?limit=1000&after=${encodeURIComponent(after)}`);
        all.push(...page.records);
        if (!page.next) break;
        after = page.next;
      }
      setRows(all);
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    } finally {
      setLoading(false);
    }
  }, [api, base, schoolId, locale]);
  useEffect(() => void load(), [load]);

  const toForm = (data: Record<string, unknown>) => {
    const v: Record<string, unknown> = {};
    for (const f of fields) {
      const x = f.type === 'json' && f.name === '*' ? data : data[f.name];
      if (f.type === 'datetime') v[f.name] = typeof x === 'number' ? toLocal(x) : '';
      else if (f.type === 'json') v[f.name] = x === undefined ? '' : JSON.stringify(x, null, 2);
      else v[f.name] = x;
    }
    return v;
  };
  const fromForm = (v: Record<string, unknown>): Record<string, unknown> => {
    let data: Record<string, unknown> = {};
    for (const f of fields) {
      const x = v[f.name];
      if (x === undefined || x === null || x === '') {
        if (f.type === 'bool') data[f.name] = false;
        continue;
      }
      if (f.type === 'datetime') data[f.name] = new Date(String(x)).getTime();
      else if (f.type === 'json') {
        const parsed: unknown = JSON.parse(String(x));
        if (f.name === '*') data = { ...data, ...(parsed as Record<string, unknown>) };
        else data[f.name] = parsed;
      } else data[f.name] = typeof x === 'string' ? x.trim() : x;
    }
    return data;
  };

  const save = useCallback(
    async (key: string, data: Record<string, unknown>, version: number | null): Promise<boolean> => {
      try {
        const r = await api.put<{ cursor: number; record: VersionedRecord }>(`${base}/${encodeURIComponent(key)}`, { data, version });
        noteChange({ what: `${kind}/${key}`, cursor: r.cursor });
        message.success(t('console.saved'));
        await load();
        return true;
      } catch (err) {
        const current = conflictCurrent(err);
        if (current !== undefined) {
          setConflict({ yours: data, current });
          return false;
        }
        setError(err instanceof ApiError ? err.text[locale] : String(err));
        return false;
      }
    },
    [api, base, kind, load, locale, message, noteChange, t],
  );

  const submit = async () => {
    let v: Record<string, unknown>;
    try {
      v = (await form.validateFields()) as Record<string, unknown>;
    } catch {
      return; // the form shows what is wrong
    }
    let data: Record<string, unknown>;
    try {
      data = fromForm(v);
    } catch {
      setError(t('console.field.bad_json'));
      return;
    }
    const key = editing?.key ?? String(v.__key ?? '').trim();
    setConflict(null);
    if (await save(key, data, editing?.record?.version ?? null)) setEditing(null);
  };

  const remove = async (rec: VersionedRecord) => {
    try {
      const r = await api.delete<{ cursor: number }>(`${base}/${encodeURIComponent(rec.key)}?version=${rec.version}`);
      noteChange({ what: `${kind}/${rec.key} ✕`, cursor: r.cursor });
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
      await load();
    }
  };

  const yes = t('console.yes');
  const no = t('console.no');
  const columns: ColumnsType<VersionedRecord> = [
    { title: t('console.field.key'), dataIndex: 'key', key: 'key' },
    ...fields
      .filter((f) => f.column !== false && f.name !== '*')
      .map((f) => ({
        title: t(f.label),
        key: f.name,
        render: (_: unknown, r: VersionedRecord) => {
          const v = r.data[f.name];
          if (f.render) return f.render(v);
          const opt = f.options?.find((o) => o.value === v);
          if (opt) return t(opt.label);
          if (f.type === 'multi' && Array.isArray(v)) return v.map((x) => { const o = f.options?.find((y) => y.value === x); return o ? t(o.label) : String(x); }).join('、');
          return formatValue(v, f.type, yes, no);
        },
      })),
    { title: t('console.field.version'), dataIndex: 'version', key: 'version', width: 90 },
    {
      title: '',
      key: 'actions',
      render: (_: unknown, r: VersionedRecord) => (
        <Space wrap>
          <Button size="small" onClick={() => { setConflict(null); setEditing({ key: r.key, record: r }); form.resetFields(); form.setFieldsValue(toForm(r.data)); }}>
            {t('console.action.edit')}
          </Button>
          {rowActions?.(r, save)}
          <Popconfirm title={t('console.action.confirm_delete')} onConfirm={() => void remove(r)}>
            <Button size="small" danger>
              {t('console.action.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];
  const shown = useMemo(() => (search && text.trim() ? rows.filter((r) => search(r, text.trim())) : rows), [rows, search, text]);

  const input = (f: FieldSpec) => {
    if (f.input) return f.input();
    switch (f.type) {
      case 'bool':
        return <Switch />;
      case 'number':
        return <InputNumber min={0} style={{ width: '100%' }} />;
      case 'select':
        return <Select optionFilterProp="label" options={f.options?.map((o) => ({ value: o.value, label: t(o.label) }))} />;
      case 'multi':
        return <Select mode="multiple" optionFilterProp="label" options={f.options?.map((o) => ({ value: o.value, label: t(o.label) }))} />;
      case 'datetime':
        return <Input type="datetime-local" />;
      case 'json':
        return <Input.TextArea rows={8} style={{ fontFamily: 'monospace' }} />;
      default:
        return <Input />;
    }
  };

  return (
    <div data-testid={testId ?? `records-${kind}`}>
      <Space style={{ marginBottom: 16 }} wrap>
        {search && <Input.Search allowClear placeholder={t('console.action.search')} onChange={(e) => setText(e.target.value)} style={{ width: 280 }} />}
        <Button type="primary" onClick={() => { setConflict(null); setEditing({ key: null, record: null }); form.resetFields(); form.setFieldsValue(Object.fromEntries(fields.filter((f) => f.initial !== undefined).map((f) => [f.name, f.initial]))); }}>
          {t('console.action.add')}
        </Button>
        <Button onClick={() => void load()}>{t('console.action.reload')}</Button>
      </Space>
      {error && <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} style={{ marginBottom: 16 }} data-testid="record-error" />}
      <Table<VersionedRecord> rowKey="key" size="middle" loading={loading} columns={columns} dataSource={shown} pagination={{ pageSize: 50 }} scroll={{ x: true }} />
      <Modal open={editing !== null} title={editing?.key ?? t('console.action.add')} okText={t('console.action.save')} cancelText={t('console.action.cancel')} onOk={() => void submit()} onCancel={() => setEditing(null)} width={modalWidth} destroyOnHidden>
        {conflict && (
          <Alert
            type="warning"
            showIcon
            data-testid="conflict"
            style={{ marginBottom: 16 }}
            title={t('console.conflict.title')}
            description={
              conflict.current === null ? (
                t('console.conflict.deleted')
              ) : (
                <>
                  <Table
                    size="small"
                    pagination={false}
                    rowKey="field"
                    dataSource={fields
                      .filter((f) => f.name !== '*')
                      .filter((f) => JSON.stringify(conflict.yours[f.name] ?? null) !== JSON.stringify(conflict.current!.data[f.name] ?? null))
                      .map((f) => ({ field: t(f.label), yours: formatValue(conflict.yours[f.name], f.type, yes, no), theirs: formatValue(conflict.current!.data[f.name], f.type, yes, no) }))}
                    columns={[
                      { title: t('console.conflict.field'), dataIndex: 'field' },
                      { title: t('console.conflict.yours'), dataIndex: 'yours' },
                      { title: t('console.conflict.theirs'), dataIndex: 'theirs' },
                    ]}
                  />
                  <Button
                    size="small"
                    style={{ marginTop: 8 }}
                    onClick={() => {
                      setEditing({ key: conflict.current!.key, record: conflict.current });
                      form.setFieldsValue(toForm(conflict.current!.data));
                      setConflict(null);
                    }}
                  >
                    {t('console.conflict.use_current')}
                  </Button>
                </>
              )
            }
          />
        )}
        <Form form={form} layout="vertical" preserve={false}>
          {editing?.key === null && (
            <Form.Item name="__key" label={keyHint ? t(keyHint) : t('console.field.key')} rules={[{ required: true, pattern: /^[A-Za-z0-9_.:-]{1,128}$/, message: t('console.signin.required') }]}>
              <Input />
            </Form.Item>
          )}
          {fields.map((f) => (
            <Form.Item key={f.name} name={f.name} label={t(f.label)} valuePropName={f.type === 'bool' ? 'checked' : 'value'} rules={[...(f.required ? [{ required: true, message: t('console.signin.required') }] : []), ...(f.rules ?? [])]} {...(f.extra ? { extra: t(f.extra) } : {})} {...(f.dependencies ? { dependencies: f.dependencies } : {})}>
              {input(f)}
            </Form.Item>
          ))}
        </Form>
      </Modal>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {rows.length}
      </Typography.Paragraph>
    </div>
  );
}
