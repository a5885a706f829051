import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import { ApiError } from '../api';
import { useConsoleT } from '../i18n';
import { useConsole } from '../session';

interface Leave {
  key: string;
  from: number;
  until: number;
  reason: string | null;
}
interface Student {
  key: string;
  name: string;
  leaves: Leave[];
}

const pad = (n: number) => String(n).padStart(2, '0');
const local = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** A head teacher's classes (我的班级): the students, their running leaves, granting and cancelling a leave. */
export default function MyClassPage() {
  const { state } = useConsole();
  const classes = state.status === 'signedIn' ? state.account.classes : [];
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {classes.map((c) => (
        <ClassCard key={c} classId={c} />
      ))}
    </Space>
  );
}

function ClassCard({ classId }: { classId: string }) {
  const { api, schoolId, noteChange } = useConsole();
  const { t, locale } = useConsoleT();
  const [students, setStudents] = useState<Student[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [granting, setGranting] = useState<Student | null>(null);
  const [form] = Form.useForm<{ from: string; until: string; reason?: string }>();
  const base = `/schools/${schoolId}/classes/${encodeURIComponent(classId)}`;
  const fail = useCallback((err: unknown) => setError(err instanceof ApiError ? err.text[locale] : String(err)), [locale]);

  const load = useCallback(async () => {
    try {
      setStudents((await api.get<{ students: Student[] }>(`${base}/students`)).students);
    } catch (err) {
      fail(err);
    }
  }, [api, base, fail]);
  useEffect(() => void load(), [load]);

  const grant = async () => {
    const v = await form.validateFields();
    const key = `L-${Date.now().toString(36)}`;
    try {
      const r = await api.put<{ cursor: number }>(`${base}/leaves/${key}`, { personId: granting!.key, from: new Date(v.from).getTime(), until: new Date(v.until).getTime(), ...(v.reason ? { reason: v.reason } : {}) });
      noteChange({ what: `leave/${key} ${granting!.name}`, cursor: r.cursor });
      setGranting(null);
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const cancel = async (leave: Leave) => {
    try {
      const r = await api.delete<{ cursor: number }>(`${base}/leaves/${leave.key}`);
      noteChange({ what: `leave/${leave.key} ✕`, cursor: r.cursor });
      await load();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <Card title={classId} data-testid={`class-${classId}`}>
      {error && <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} style={{ marginBottom: 12 }} />}
      <Table<Student>
        rowKey="key"
        size="middle"
        pagination={false}
        dataSource={students}
        columns={[
          { title: t('console.field.key'), dataIndex: 'key' },
          { title: t('console.field.name'), dataIndex: 'name' },
          {
            title: t('console.leaves.leaves'),
            key: 'leaves',
            render: (_, s) => (
              <Space wrap>
                {s.leaves.map((l) => (
                  <Popconfirm key={l.key} title={t('console.action.confirm_delete')} onConfirm={() => void cancel(l)}>
                    <Tag color="blue" style={{ cursor: 'pointer' }}>
                      {local(l.from).replace('T', ' ')} – {local(l.until).replace('T', ' ')} {l.reason ?? ''}
                    </Tag>
                  </Popconfirm>
                ))}
              </Space>
            ),
          },
          {
            title: '',
            key: 'actions',
            render: (_, s) => (
              <Button size="small" onClick={() => { setGranting(s); form.setFieldsValue({ from: local(Date.now()), until: local(Date.now() + 4 * 3600_000), reason: '' }); }}>
                {t('console.class.grant')}
              </Button>
            ),
          },
        ]}
      />
      <Modal open={granting !== null} title={`${t('console.class.grant')} · ${granting?.name ?? ''}`} okText={t('console.action.save')} cancelText={t('console.action.cancel')} onOk={() => void grant()} onCancel={() => setGranting(null)}>
        <Form form={form} layout="vertical">
          <Form.Item name="from" label={t('console.field.from')} rules={[{ required: true, message: t('console.signin.required') }]}>
            <Input type="datetime-local" />
          </Form.Item>
          <Form.Item name="until" label={t('console.field.until')} rules={[{ required: true, message: t('console.signin.required') }]}>
            <Input type="datetime-local" />
          </Form.Item>
          <Form.Item name="reason" label={t('console.field.reason')}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
