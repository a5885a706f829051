import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { CardToolError } from '@campus/protocol/cards/errors';
import { writeCardSheet, type PrintableCard } from '@campus/protocol/cards/sheet';
import { PERSON_ID_RE, encodeCredential } from '@campus/protocol/credentials/index';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import type { StaffRouter } from './access.js';
import type { StaffRole } from './roles.js';
import './messages.js';

/** The cloud's card issuer key (config `cards`): the private half of an issuer key pair whose public half every edge holds. */
export interface CardIssuerOptions {
  kid: string;
  /** PKCS#8 PEM (Ed25519), as `campus-edge keys init` writes issuer-<kid>.key. */
  privateKey: string;
  /** A TTF/OTF/TTC with Chinese glyphs; default: the first of the usual Debian CJK fonts present. */
  fontPath?: string;
}

/** Who prints cards: as for the card records themselves. */
const PRINT_STAFF: readonly StaffRole[] = ['school_admin', 'office'];
const SheetParams = z.object({ schoolId: z.string().max(64) });
const SheetBody = z.strictObject({ personIds: z.array(z.string().min(1).max(128)).min(1).max(500) });

/**
 * Card print sheets (打印卡片) from the console: for the selected people, a QR card each,
 * signed with the cloud's issuer key at the version of the person's card record, laid out
 * by the same code as the edge's `cards issue` (protocol/cards: A4, ten cards a page, cut
 * marks). A person without a card record gets version 1, written to the change feed with
 * the audit row, so the gates know the card. A revoked card is not printed (reissue it
 * first); nothing is printed when any person is refused. Without a configured issuer key
 * the route says so.
 */
export function cardSheetRoutes(api: StaffRouter, records: RecordStore, issuer: CardIssuerOptions | undefined): void {
  api.add({
    method: 'post',
    path: '/schools/:schoolId/card-sheets',
    summary: 'Printable card sheet (PDF, A4, ten cards a page) for the selected people, signed by the cloud\'s issuer key at their card versions; audited',
    scope: 'school',
    roles: PRINT_STAFF,
    audit: 'card.sheet.print',
    params: SheetParams,
    body: SheetBody,
    handler: async ({ params, body, q, res, audited, afterCommit }) => {
      if (!issuer) throw new HttpError(409, 'staff.error.cards_no_key');
      const ids = [...new Set(body.personIds)];
      const badIds = ids.filter((id) => !PERSON_ID_RE.test(id));
      if (badIds.length) throw new HttpError(400, 'staff.error.card_bad_id', { ids: badIds.slice(0, 10).join('、') });
      // The school row first, as every staff write: a card record may be created below.
      const school = await q.query<{ name: string }>('SELECT name FROM schools WHERE id = $1 FOR UPDATE', [params.schoolId]);
      const people = await q.query<{ key: string; data: { name: string; classId?: string } }>(
        `SELECT key, data FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND key = ANY($2::text[])`,
        [params.schoolId, ids],
      );
      const byId = new Map(people.rows.map((r) => [r.key, r.data]));
      const unknown = ids.filter((id) => !byId.has(id));
      if (unknown.length) throw new HttpError(400, 'staff.error.card_people_unknown', { ids: unknown.slice(0, 10).join('、') });
      const cards = await q.query<{ key: string; data: { version: number; revoked: boolean } }>(
        `SELECT key, data FROM records WHERE school_id = $1 AND kind = 'card' AND NOT deleted AND key = ANY($2::text[])`,
        [params.schoolId, ids],
      );
      const cardOf = new Map(cards.rows.map((r) => [r.key, r.data]));
      const revoked = ids.filter((id) => cardOf.get(id)?.revoked);
      if (revoked.length) throw new HttpError(400, 'staff.error.card_revoked_print', { ids: revoked.slice(0, 10).join('、') });
      const fresh = ids.filter((id) => !cardOf.has(id));
      const cursor = fresh.length ? await records.writeIn(q, params.schoolId, fresh.map((id) => ({ kind: 'card' as const, key: id, data: { personId: id, version: 1, revoked: false } }))) : null;
      const printable: PrintableCard[] = ids.map((id) => {
        const p = byId.get(id)!;
        const cardVersion = Math.max(1, cardOf.get(id)?.version ?? 1);
        const [grade, className] = p.classId?.includes('-') ? [p.classId.slice(0, p.classId.indexOf('-')), p.classId.slice(p.classId.indexOf('-') + 1)] : [p.classId ?? null, null];
        return { personId: id, name: p.name, grade, className, cardVersion, credential: encodeCredential({ kind: 'card', personId: id, cardVersion }, issuer.privateKey, issuer.kid) };
      });
      const chunks: Buffer[] = [];
      const sink = new PassThrough();
      sink.on('data', (c: Buffer) => chunks.push(c));
      let pages: number;
      try {
        ({ pages } = await writeCardSheet(printable, sink, { schoolName: school.rows[0]?.name ?? '', ...(issuer.fontPath ? { fontPath: issuer.fontPath } : {}) }));
      } catch (err) {
        if (err instanceof CardToolError) throw new HttpError(409, err.code, err.params);
        throw err;
      }
      const pdf = Buffer.concat(chunks);
      audited(`card-sheet/${ids.length}`, { personIds: ids.slice(0, 100), count: ids.length, pages, kid: issuer.kid, versions: Object.fromEntries(printable.slice(0, 100).map((c) => [c.personId, c.cardVersion])), newCards: fresh.length, cursor });
      afterCommit(() => {
        if (cursor !== null) records.changed(params.schoolId);
        res.status(200);
        res.setHeader('content-type', 'application/pdf');
        res.setHeader('content-disposition', `attachment; filename="card-sheet-${ids.length}.pdf"`);
        res.end(pdf);
      });
      return undefined;
    },
  });
}
