import { Tabs } from 'antd';
import { useConsoleT } from '../i18n';
import { RecordTable, type FieldSpec } from './RecordTable';

const LEAVE: FieldSpec[] = [
  { name: 'personId', label: 'console.field.personId', type: 'text', required: true },
  { name: 'from', label: 'console.field.from', type: 'datetime', required: true },
  { name: 'until', label: 'console.field.until', type: 'datetime', required: true },
  { name: 'reason', label: 'console.field.reason', type: 'text' },
];
const PASS: FieldSpec[] = [
  { name: 'name', label: 'console.field.name', type: 'text', required: true },
  { name: 'phone', label: 'console.field.phone', type: 'text' },
  { name: 'host', label: 'console.field.host', type: 'text' },
  { name: 'validFrom', label: 'console.field.from', type: 'datetime', required: true },
  { name: 'validUntil', label: 'console.field.until', type: 'datetime', required: true },
];

/** Leaves (请假) and visitor passes (访客通行证) the school office keeps. */
export default function LeavesPage() {
  const { t } = useConsoleT();
  return (
    <Tabs
      items={[
        { key: 'leave', label: t('console.leaves.leaves'), children: <RecordTable kind="leave" fields={LEAVE} search={(r, x) => r.key.includes(x) || String(r.data.personId ?? '').includes(x)} /> },
        { key: 'pass', label: t('console.leaves.passes'), children: <RecordTable kind="visitor_pass" fields={PASS} keyHint="console.passes.key_hint" search={(r, x) => r.key.includes(x) || String(r.data.name ?? '').includes(x)} /> },
      ]}
    />
  );
}
