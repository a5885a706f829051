import type { CardView, GatesOverview, GuardianLinkView, LeaveView, PassView, PersonDetail, PersonView, ReaderView } from '@campus/protocol/access/index';
import type { LinkStatus } from '@campus/device-drivers/serial/index';
import type { Leave } from './leaves.js';
import type { PersonEntry } from './model.js';
import type { PassRecord } from './passes.js';
import type { GuardianLink } from './people.js';
import type { AccessService } from './service.js';

/** API views of the domain's records (shapes in protocol/src/access/api.ts). */
export function personView(s: AccessService, p: PersonEntry): PersonView {
  const cls = s.people.class(p.classId);
  const grade = cls ? s.people.grade(cls.gradeId) : undefined;
  return {
    id: p.id,
    name: p.name,
    roles: [...p.roles],
    classId: p.classId,
    className: cls?.name ?? null,
    gradeId: grade?.id ?? null,
    gradeName: grade?.name ?? null,
    boarder: p.boarder,
    dormitoryZone: p.dormitoryZone,
    phone: p.phone,
    active: p.active,
    cardVersion: p.cardVersion,
    minCardVersion: p.minCardVersion,
    hasPhoto: p.hasPhoto,
  };
}

function linkView(s: AccessService, l: GuardianLink): GuardianLinkView {
  return {
    ...l,
    studentName: s.people.get(l.studentId)?.name ?? l.studentId,
    guardianName: s.people.get(l.guardianId)?.name ?? l.guardianId,
  };
}

export function personDetail(s: AccessService, p: PersonEntry): PersonDetail {
  const cards: CardView[] = s.people.cards(p.id);
  return {
    ...personView(s, p),
    guardians: s.people.guardiansOf(p.id).map((l) => linkView(s, l)),
    wards: s.people.wardsOf(p.id).map((l) => linkView(s, l)),
    cards,
    leaves: s.leaves.list({ personIds: [p.id], includeCancelled: true, limit: 20 }).map((l) => leaveView(s, l)),
  };
}

export function leaveView(s: AccessService, l: Leave): LeaveView {
  const p = s.people.get(l.personId);
  return { ...l, personName: p?.name ?? l.personId, className: p ? s.people.className(p.classId) : null };
}

export function passView(s: AccessService, p: PassRecord): PassView {
  const { credential: _credential, ...rest } = p;
  return { ...rest, uses: s.passes.uses(p.id) };
}

function link(l: LinkStatus) {
  return { id: l.id, state: l.state, since: l.since, error: l.error, reconnects: l.reconnects };
}

export function gatesOverview(s: AccessService): GatesOverview {
  const hw = s.hardware;
  const readers: ReaderView[] = (hw?.readers() ?? []).map(({ config, reader }) => {
    const st = reader.status();
    return {
      id: config.id,
      gate: config.gate,
      direction: config.direction,
      link: link(st.link),
      scans: st.scans,
      badFrames: Object.values(st.badFrames).reduce((a, b) => a + b, 0),
      lastScanAt: st.lastScanAt,
    };
  });
  return {
    zones: s.config.zones.map((z) => ({ id: z.id, no: z.no, name: z.name, kind: z.kind, antiPassback: z.antiPassback, passbackResetHour: z.passbackResetHour })),
    gates: s.config.gates.map((g) => {
      const t = hw?.turnstile(g.id);
      const st = t?.status();
      return {
        id: g.id,
        no: g.no,
        name: g.name,
        zone: g.zone,
        directions: g.directions,
        turnstile: g.turnstile && st ? { board: g.turnstile.board, held: st.held, awaiting: st.awaiting } : null,
        readers: readers.filter((r) => r.gate === g.id),
      };
    }),
    relayBoards: (hw?.boards() ?? []).map((b) => {
      const st = b.boardStatus();
      return { id: st.id, link: link(st.link), held: st.held, unconfirmed: st.unconfirmed, pulses: st.pulses, failedCommands: st.failedCommands };
    }),
    fireAlarm: s.runtime?.fireAlarmView() ?? { active: false, source: null, since: null, confirmed: 0, total: 0, gatesNotOpen: [] },
  };
}
