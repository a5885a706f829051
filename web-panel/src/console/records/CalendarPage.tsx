import { Typography } from 'antd';
import { useConsoleT } from '../i18n';
import { RecordTable, type FieldSpec } from './RecordTable';

const FIELDS: FieldSpec[] = [
  { name: 'date', label: 'console.field.date', type: 'text', required: true },
  {
    name: 'kind',
    label: 'console.field.dayKind',
    type: 'select',
    required: true,
    initial: 'holiday',
    options: [
      { value: 'school_day', label: 'console.day.school_day' },
      { value: 'holiday', label: 'console.day.holiday' },
      { value: 'makeup_day', label: 'console.day.makeup_day' },
    ],
  },
  { name: 'entryBy', label: 'console.field.entryBy', type: 'text' },
  { name: 'note', label: 'console.field.note', type: 'text' },
];

/** The school calendar's days (holidays, 调休 make-up days, school and exam days), one record per date. */
export default function CalendarPage() {
  const { t } = useConsoleT();
  return (
    <>
      <Typography.Paragraph type="secondary">{t('console.day.exam_hint')}</Typography.Paragraph>
      <RecordTable kind="calendar" fields={FIELDS} keyHint="console.field.date" search={(r, text) => r.key.includes(text) || String(r.data.note ?? '').includes(text)} />
    </>
  );
}
