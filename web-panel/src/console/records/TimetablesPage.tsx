import { Typography } from 'antd';
import { useConsoleT } from '../i18n';
import { RecordTable, type FieldSpec } from './RecordTable';

const FIELDS: FieldSpec[] = [
  { name: 'grade', label: 'console.field.grade', type: 'text', required: true },
  { name: 'weekday', label: 'console.field.weekday', type: 'number' },
  { name: 'entryStart', label: 'console.field.entryStart', type: 'text', required: true, initial: '07:00' },
  { name: 'lateAfter', label: 'console.field.lateAfter', type: 'text', required: true, initial: '07:50' },
  { name: 'dismissalStart', label: 'console.field.dismissalStart', type: 'text', required: true, initial: '16:30' },
  { name: 'dismissalEnd', label: 'console.field.dismissalEnd', type: 'text', required: true, initial: '18:00' },
];

/** Grade timetables (作息时间): entry, late threshold and dismissal per grade, optionally per weekday; the edges judge lateness by them. */
export default function TimetablesPage() {
  const { t } = useConsoleT();
  return (
    <>
      <Typography.Paragraph type="secondary">{t('console.timetable.hint')}</Typography.Paragraph>
      <RecordTable kind="timetable" fields={FIELDS} testId="records-timetable" search={(r, text) => r.key.includes(text) || String(r.data.grade ?? '').includes(text)} />
    </>
  );
}
