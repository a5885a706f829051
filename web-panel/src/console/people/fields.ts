import type { FieldSpec } from '../records/RecordTable';

export const PERSON_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'console.field.name', type: 'text', required: true },
  {
    name: 'roles',
    label: 'console.field.roles',
    type: 'multi',
    required: true,
    initial: ['student'],
    options: [
      { value: 'student', label: 'console.role.student' },
      { value: 'guardian', label: 'console.role.guardian' },
      { value: 'teacher', label: 'console.role.teacher' },
      { value: 'staff', label: 'console.role.staff' },
      { value: 'visitor', label: 'console.role.visitor' },
    ],
  },
  { name: 'classId', label: 'console.field.classId', type: 'text' },
  { name: 'phone', label: 'console.field.phone', type: 'text' },
  { name: 'active', label: 'console.field.active', type: 'bool', initial: true },
];
