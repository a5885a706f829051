import { useCallback, useEffect, useState } from 'react';
import { Form, Select } from 'antd';
import type { VersionedRecord } from '../api';
import { useConsole } from '../session';

/** A student or staff member as the bus forms may pick them (`GET …/bus-people`: no phones). */
export interface BusPerson {
  key: string;
  name: string;
  classId: string | null;
  roles: string[];
}
interface RouteData {
  name?: string;
  stops?: { id: string; name?: string; morningAt?: string }[];
}
export interface BusLookups {
  people: BusPerson[];
  vehicles: VersionedRecord<{ plate?: string }>[];
  routes: VersionedRecord<RouteData>[];
}
export interface Choice {
  value: string;
  label: string;
}

const EMPTY: BusLookups = { people: [], vehicles: [], routes: [] };

/**
 * What the bus forms pick from — the school's students and staff, its vehicles and routes —
 * loaded once and again whenever `reload` is called (after another tab saved a vehicle or a
 * route). A failed load leaves the pickers empty: the ids can still be typed.
 */
export function useBusLookups(): [BusLookups, () => void] {
  const { api, schoolId } = useConsole();
  const [data, setData] = useState<BusLookups>(EMPTY);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!schoolId) return;
    let live = true;
    const all = async <D,>(kind: string) => {
      const out: VersionedRecord<D>[] = [];
      for (let after = ''; ; ) {
        const page = await api.get<{ records: VersionedRecord<D>[]; next: string | null }>(`/schools/${encodeURIComponent(schoolId)}/bus/${kind}?limit=1000&after=${encodeURIComponent(after)}`);
        out.push(...page.records);
        if (!page.next) return out;
        after = page.next;
      }
    };
    void (async () => {
      const [people, vehicles, routes] = await Promise.all([
        api.get<{ people: BusPerson[] }>(`/schools/${encodeURIComponent(schoolId)}/bus-people`).then((r) => r.people),
        all<{ plate?: string }>('bus_vehicle'),
        all<RouteData>('bus_route'),
      ]);
      if (live) setData({ people, vehicles, routes });
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, schoolId, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return [data, reload];
}

const isStudent = (p: BusPerson) => p.roles.includes('student');
const personLabel = (p: BusPerson) => `${p.name}${p.classId ? `（${p.classId}）` : ''} · ${p.key}`;

export const studentChoices = (l: BusLookups): Choice[] => l.people.filter(isStudent).map((p) => ({ value: p.key, label: personLabel(p) }));
/** Drivers and attendants: everyone on the roster who is not a student (teachers, staff). */
export const staffChoices = (l: BusLookups): Choice[] => l.people.filter((p) => !isStudent(p)).map((p) => ({ value: p.key, label: personLabel(p) }));
export const vehicleChoices = (l: BusLookups): Choice[] => l.vehicles.map((v) => ({ value: v.key, label: `${v.data.plate ?? v.key} · ${v.key}` }));
export const routeChoices = (l: BusLookups): Choice[] => l.routes.map((r) => ({ value: r.key, label: `${r.data.name ?? r.key} · ${r.key}` }));

/** How a table cell shows an id: the name it stands for, or the id itself when unknown. */
export const nameOf = (choices: Choice[]) => (v: unknown): string => {
  if (v === undefined || v === null || v === '') return '—';
  const c = choices.find((x) => x.value === v);
  return c ? c.label.replace(/ · [^·]*$/, '') : String(v);
};

/** What a form item hands its input: the id its label points at, the value and onChange. */
interface ItemProps {
  id?: string;
  value?: string;
  onChange?: (v: string | undefined) => void;
  testId?: string;
}

/** A searchable pick list. */
export function Pick({ choices, id, value, onChange, testId }: ItemProps & { choices: Choice[] }) {
  return <Select id={id} showSearch allowClear optionFilterProp="label" options={choices} value={value} onChange={onChange} data-testid={testId} />;
}

/** The stops of the route chosen in the same form (`routeId`), in morning order. */
export function StopPick({ lookups, id, value, onChange, testId }: ItemProps & { lookups: BusLookups }) {
  const routeId = Form.useWatch('routeId', Form.useFormInstance()) as string | undefined;
  const route = lookups.routes.find((r) => r.key === routeId);
  const choices = (route?.data.stops ?? []).map((s) => ({ value: s.id, label: `${s.name ?? s.id}${s.morningAt ? ` ${s.morningAt}` : ''} · ${s.id}` }));
  return <Select id={id} showSearch allowClear optionFilterProp="label" options={choices} value={value} onChange={onChange} disabled={!route} data-testid={testId} />;
}
