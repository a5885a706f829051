import { RecordTable, type FieldSpec } from './RecordTable';

const FIELDS: FieldSpec[] = [
  { name: 'studentId', label: 'console.field.studentId', type: 'text', required: true },
  { name: 'guardianId', label: 'console.field.guardianId', type: 'text', required: true },
  { name: 'relation', label: 'console.field.relation', type: 'text', required: true },
  { name: 'mayPickUp', label: 'console.field.mayPickUp', type: 'bool', initial: true },
  { name: 'receivesNotices', label: 'console.field.receivesNotices', type: 'bool', initial: true },
];

/** Guardians and pickup persons (家长与接送人): who may collect a child and who gets notices. Key: "<student>:<guardian>". */
export default function GuardiansPage() {
  return <RecordTable kind="guardianship" fields={FIELDS} search={(r, x) => r.key.includes(x)} />;
}
