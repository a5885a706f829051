import { useMemo } from 'react';
import { Tabs } from 'antd';
import { RecordTable, type FieldSpec } from '../records/RecordTable';
import { label, useBusT } from './messages';
import { StopsEditor } from './StopsEditor';
import { nameOf, Pick, routeChoices, staffChoices, StopPick, studentChoices, useBusLookups, vehicleChoices, type BusLookups } from './lookups';

/** GB 24407 (the cloud checks it too: protocol's MAX_SEATS). */
const MAX_SEATS = { kindergarten: 45, primary: 56, school: 56 } as const;
/** Set by the page with the current language: the form's rules are built once, outside React. */
let seatsText: (kind: string, max: number) => string = (kind, max) => `${kind} ≤ ${max}`;

const DIRECTION: FieldSpec['options'] = [
  { value: 'morning', label: label('cbus.direction.morning') },
  { value: 'afternoon', label: label('cbus.direction.afternoon') },
];
const VEHICLE: FieldSpec[] = [
  { name: 'plate', label: label('cbus.field.plate'), type: 'text', required: true },
  {
    name: 'kind',
    label: label('cbus.field.kind'),
    type: 'select',
    required: true,
    initial: 'school',
    options: [
      { value: 'kindergarten', label: label('cbus.kind.kindergarten') },
      { value: 'primary', label: label('cbus.kind.primary') },
      { value: 'school', label: label('cbus.kind.school') },
    ],
  },
  {
    name: 'seats',
    label: label('cbus.field.seats'),
    type: 'number',
    required: true,
    extra: label('cbus.field.seats_extra'),
    dependencies: ['kind'],
    rules: [
      ({ getFieldValue }) => ({
        validator: (_rule, v: unknown) => {
          const kind = getFieldValue('kind') as keyof typeof MAX_SEATS;
          const max = MAX_SEATS[kind] ?? 56;
          return typeof v === 'number' && v > max ? Promise.reject(new Error(seatsText(kind, max))) : Promise.resolve();
        },
      }),
    ],
  },
  { name: 'terminalPhone', label: label('cbus.field.terminal'), type: 'text' },
  { name: 'active', label: label('cbus.field.active'), type: 'bool', initial: true },
];
const STOPS_TEMPLATE = [
  { id: 'stop1', name: '第一站', lat: 31.2, lon: 121.4, radiusM: 60, morningAt: '07:10', afternoonAt: '16:50', handover: false },
  { id: 'school', name: '学校', lat: 31.22, lon: 121.42, radiusM: 80, morningAt: '07:40', afternoonAt: '16:20', depot: true },
];
const routeFields = (l: BusLookups): FieldSpec[] => {
  const vehicles = vehicleChoices(l);
  return [
    { name: 'name', label: label('cbus.field.name'), type: 'text', required: true },
    { name: 'vehicleId', label: label('cbus.field.vehicle'), type: 'text', input: () => <Pick choices={vehicles} testId="pick-vehicleId" />, render: nameOf(vehicles) },
    { name: 'overspeedKmh', label: label('cbus.field.overspeed'), type: 'number' },
    {
      name: 'stops',
      label: label('cbus.field.stops'),
      type: 'json',
      required: true,
      initial: JSON.stringify(STOPS_TEMPLATE, null, 2),
      extra: label('cbus.field.stops_extra'),
      input: () => <StopsEditor />,
      // The stops in order, as the bus runs them in the morning.
      render: (v) => (Array.isArray(v) ? v.map((s: { name?: string; morningAt?: string }) => `${s.name ?? '?'}${s.morningAt ? ` ${s.morningAt}` : ''}`).join(' → ') : '—'),
    },
  ];
};
/** The fields naming a student, a route and one of its stops: picked by name, stored as ids. */
const studentRouteStop = (l: BusLookups) => {
  const students = studentChoices(l);
  const routes = routeChoices(l);
  return {
    student: (name: string): FieldSpec => ({ name, label: label('cbus.field.student'), type: 'text', required: true, input: () => <Pick choices={students} testId={`pick-${name}`} />, render: nameOf(students) }),
    route: { name: 'routeId', label: label('cbus.field.route'), type: 'text', required: true, input: () => <Pick choices={routes} testId="pick-routeId" />, render: nameOf(routes) } satisfies FieldSpec,
    stop: { name: 'stopId', label: label('cbus.field.stop'), type: 'text', required: true, dependencies: ['routeId'], input: () => <StopPick lookups={l} testId="pick-stopId" />, render: (v: unknown) => stopName(l, v) } satisfies FieldSpec,
  };
};
const stopName = (l: BusLookups, v: unknown): string => {
  for (const r of l.routes) for (const s of r.data.stops ?? []) if (s.id === v) return s.name ?? s.id;
  return v === undefined || v === null || v === '' ? '—' : String(v);
};
const assignmentFields = (l: BusLookups): FieldSpec[] => {
  const f = studentRouteStop(l);
  return [
    f.student('personId'),
    f.route,
    f.stop,
    { name: 'direction', label: label('cbus.field.direction'), type: 'select', required: true, options: DIRECTION, initial: 'morning' },
    { name: 'from', label: label('cbus.field.from'), type: 'text', required: true },
    { name: 'handover', label: label('cbus.field.handover'), type: 'bool' },
  ];
};
const stopChangeFields = (l: BusLookups): FieldSpec[] => {
  const f = studentRouteStop(l);
  return [
    f.student('personId'),
    { name: 'date', label: label('cbus.field.date'), type: 'text', required: true },
    { name: 'direction', label: label('cbus.field.direction'), type: 'select', required: true, options: DIRECTION, initial: 'morning' },
    f.route,
    f.stop,
  ];
};
const pickupFields = (l: BusLookups): FieldSpec[] => [
  studentRouteStop(l).student('studentId'),
  { name: 'name', label: label('cbus.field.name'), type: 'text', required: true },
  { name: 'relation', label: label('cbus.field.relation'), type: 'text', required: true },
  { name: 'phone', label: label('cbus.field.phone'), type: 'text' },
  { name: 'photoId', label: label('cbus.field.photo'), type: 'text', column: false },
  { name: 'passVersion', label: label('cbus.field.pass_version'), type: 'number' },
];
const tripFields = (l: BusLookups): FieldSpec[] => {
  const staff = staffChoices(l);
  const vehicles = vehicleChoices(l);
  return [
    studentRouteStop(l).route,
    { name: 'date', label: label('cbus.field.date'), type: 'text', required: true },
    { name: 'direction', label: label('cbus.field.direction'), type: 'select', required: true, options: DIRECTION, initial: 'morning' },
    { name: 'vehicleId', label: label('cbus.field.vehicle'), type: 'text', required: true, input: () => <Pick choices={vehicles} testId="pick-vehicleId" />, render: nameOf(vehicles) },
    { name: 'driverId', label: label('cbus.field.driver'), type: 'text', required: true, input: () => <Pick choices={staff} testId="pick-driverId" />, render: nameOf(staff) },
    { name: 'attendantId', label: label('cbus.field.attendant'), type: 'text', required: true, input: () => <Pick choices={staff} testId="pick-attendantId" />, render: nameOf(staff) },
  ];
};

const search = (r: { key: string; data: Record<string, unknown> }, text: string) => r.key.includes(text) || Object.values(r.data).some((v) => typeof v === 'string' && v.includes(text));

/** The bus model (校车): vehicles with GB 24407 seat limits, routes with ordered stops, assignments, stop changes, pickup persons, trip plans. */
export default function BusRecordsPage() {
  const { t } = useBusT();
  seatsText = (kind, max) => t('cbus.field.seats_max', { kind: t(`cbus.kind.${kind}` as 'cbus.kind.school'), max });
  // Students, staff, vehicles and routes are picked by name; reloaded on each tab change (another tab may have added one).
  const [lookups, reload] = useBusLookups();
  const fields = useMemo(
    () => ({ routes: routeFields(lookups), assignments: assignmentFields(lookups), stopChanges: stopChangeFields(lookups), pickup: pickupFields(lookups), trips: tripFields(lookups) }),
    [lookups],
  );
  const table = (kind: string, f: FieldSpec[]) => <RecordTable folder="bus" kind={kind} fields={f} search={search} testId={`bus-${kind}`} modalWidth={kind === 'bus_route' ? 1100 : 640} />;
  return (
    <Tabs
      onChange={reload}
      items={[
        { key: 'vehicles', label: t('cbus.tab.vehicles'), children: table('bus_vehicle', VEHICLE) },
        { key: 'routes', label: t('cbus.tab.routes'), children: table('bus_route', fields.routes) },
        { key: 'assignments', label: t('cbus.tab.assignments'), children: table('bus_assignment', fields.assignments) },
        { key: 'stop_changes', label: t('cbus.tab.stop_changes'), children: table('bus_stop_change', fields.stopChanges) },
        { key: 'pickup', label: t('cbus.tab.pickup'), children: table('pickup_person', fields.pickup) },
        { key: 'trips', label: t('cbus.tab.trips'), children: table('bus_trip', fields.trips) },
      ]}
    />
  );
}
