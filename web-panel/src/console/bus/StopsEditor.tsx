import { useState } from 'react';
import { Button, Checkbox, Input, InputNumber, Space, Typography } from 'antd';
import { useBusT } from './messages';
import './bus-console.css';

interface Stop {
  id: string;
  name: string;
  lat?: number;
  lon?: number;
  radiusM?: number;
  morningAt?: string;
  afternoonAt?: string;
  handover?: boolean;
  depot?: boolean;
}

const parse = (value: string | undefined): Stop[] | null => {
  try {
    const v: unknown = JSON.parse(value?.trim() ? value : '[]');
    return Array.isArray(v) && v.every((x) => x && typeof x === 'object') ? (v as Stop[]) : null;
  } catch {
    return null;
  }
};

/**
 * A route's stops in order (the morning order; the afternoon runs them backwards): one row
 * per stop, moved up and down, added and removed. The form keeps the JSON text (what the
 * record table sends), so a text the table cannot show is edited as JSON instead.
 */
export function StopsEditor({ value, onChange }: { value?: string; onChange?: (v: string) => void }) {
  const { t } = useBusT();
  const [raw, setRaw] = useState(false);
  const stops = parse(value);
  if (stops === null || raw)
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea rows={8} value={value} onChange={(e) => onChange?.(e.target.value)} style={{ fontFamily: 'monospace' }} data-testid="stops-json" />
        {stops !== null && (
          <Button size="small" onClick={() => setRaw(false)}>
            {t('cbus.stops.table')}
          </Button>
        )}
      </Space>
    );
  const set = (next: Stop[]) => onChange?.(JSON.stringify(next, null, 2));
  const patch = (i: number, p: Partial<Record<keyof Stop, unknown>>) =>
    set(
      stops.map((s, j) => {
        if (j !== i) return s;
        const n: Record<string, unknown> = { ...s };
        for (const [k, v] of Object.entries(p)) {
          // An emptied optional field is left out (the cloud's schema has no empty times).
          if (v === '' || v === null || v === undefined || v === false) delete n[k];
          else n[k] = v;
        }
        return n as unknown as Stop;
      }),
    );
  const move = (i: number, d: -1 | 1) => {
    const next = [...stops];
    const [x] = next.splice(i, 1);
    next.splice(i + d, 0, x!);
    set(next);
  };
  return (
    <div data-testid="stops-editor">
      {stops.map((s, i) => (
        <div key={i} className="cbus-stop-row" data-index={i}>
          <Space wrap size={4} align="center">
            <Typography.Text strong>{i + 1}.</Typography.Text>
            <Input aria-label={t('cbus.stops.id')} placeholder={t('cbus.stops.id')} value={s.id} onChange={(e) => patch(i, { id: e.target.value.trim() })} style={{ width: 80 }} />
            <Input aria-label={t('cbus.stops.name')} placeholder={t('cbus.stops.name')} value={s.name} onChange={(e) => patch(i, { name: e.target.value })} style={{ width: 140 }} />
            <InputNumber aria-label={t('cbus.stops.lat')} placeholder={t('cbus.stops.lat')} value={s.lat ?? null} onChange={(v) => patch(i, { lat: v })} step={0.0001} style={{ width: 110 }} />
            <InputNumber aria-label={t('cbus.stops.lon')} placeholder={t('cbus.stops.lon')} value={s.lon ?? null} onChange={(v) => patch(i, { lon: v })} step={0.0001} style={{ width: 110 }} />
            <InputNumber aria-label={t('cbus.stops.radius')} placeholder={t('cbus.stops.radius')} value={s.radiusM ?? null} onChange={(v) => patch(i, { radiusM: v })} min={10} max={1000} style={{ width: 80 }} />
            <Input aria-label={t('cbus.stops.morning')} placeholder={t('cbus.stops.morning')} value={s.morningAt ?? ''} onChange={(e) => patch(i, { morningAt: e.target.value.trim() })} style={{ width: 72 }} />
            <Input aria-label={t('cbus.stops.afternoon')} placeholder={t('cbus.stops.afternoon')} value={s.afternoonAt ?? ''} onChange={(e) => patch(i, { afternoonAt: e.target.value.trim() })} style={{ width: 72 }} />
            <Checkbox checked={!!s.handover} onChange={(e) => patch(i, { handover: e.target.checked })}>
              {t('cbus.stops.handover')}
            </Checkbox>
            <Checkbox checked={!!s.depot} onChange={(e) => patch(i, { depot: e.target.checked })}>
              {t('cbus.stops.depot')}
            </Checkbox>
            <Button size="small" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('cbus.stops.up')}>
              ↑
            </Button>
            <Button size="small" disabled={i === stops.length - 1} onClick={() => move(i, 1)} aria-label={t('cbus.stops.down')}>
              ↓
            </Button>
            <Button size="small" danger onClick={() => set(stops.filter((_, j) => j !== i))} aria-label={t('cbus.stops.remove')}>
              ✕
            </Button>
          </Space>
        </div>
      ))}
      <Space style={{ marginTop: 8 }}>
        <Button size="small" onClick={() => set([...stops, { id: `stop${stops.length + 1}`, name: '' }])}>
          {t('cbus.stops.add')}
        </Button>
        <Button size="small" type="link" onClick={() => setRaw(true)}>
          JSON
        </Button>
      </Space>
    </div>
  );
}
