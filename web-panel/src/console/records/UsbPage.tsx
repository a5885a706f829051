import { RecordTable, type FieldSpec } from './RecordTable';

const FIELDS: FieldSpec[] = [{ name: '*', label: 'console.field.policy', type: 'json', required: true, initial: JSON.stringify({ target: { scope: 'all' }, content: { defaultAction: 'deny' } }, null, 2) }];

/** USB policies (U 盘策略) IT pushes to the school PCs through the edges: `{ target, content }` as JSON. */
export default function UsbPage() {
  return <RecordTable kind="usb_policy" fields={FIELDS} />;
}
