import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { defineMessages } from '@campus/protocol/i18n';
import { errorBody } from '../http/errors.js';
import { parseCookies, SESSION_COOKIE } from '../http/cookies.js';
import { jsonBody } from '../http/router.js';
import type { Store } from '../store/index.js';

defineMessages({
  'error.sync.cloud_owned': {
    'zh-CN': '{whatZh}由云端统一管理，请在云端修改；本机的修改会被云端数据覆盖',
    en: '{whatEn} are managed in the cloud; change them there (a local change would be overwritten by the cloud)',
  },
});

/** Record kinds the cloud owns, as the staff know them. */
const WHAT = {
  people: { 'zh-CN': '人员、卡片与监护关系', en: 'People, cards and guardians' },
  leaves: { 'zh-CN': '请假记录', en: 'Leaves' },
  passes: { 'zh-CN': '访客通行证', en: 'Visitor passes' },
  calendar: { 'zh-CN': '校历（节假日与调休）', en: 'Calendar days (holidays and make-up days)' },
} as const;

/**
 * The edge's own write routes for records the cloud owns (DESIGN.md §3: one record, one
 * owner). Photos, timetables, curfews, terms, gates and pickup passes stay local.
 */
const CLOUD_OWNED: Array<{ method: string; path: RegExp; what: keyof typeof WHAT; visitorOnly?: true }> = [
  { method: 'POST', path: /^\/people$/, what: 'people' },
  { method: 'PATCH', path: /^\/people\/[^/]+$/, what: 'people' },
  { method: 'PUT', path: /^\/people\/[^/]+\/guardians\/[^/]+$/, what: 'people' },
  { method: 'DELETE', path: /^\/people\/[^/]+\/guardians\/[^/]+$/, what: 'people' },
  { method: 'POST', path: /^\/people\/[^/]+\/cards(\/revoke)?$/, what: 'people' },
  { method: 'POST', path: /^\/roster\/import$/, what: 'people' },
  { method: 'POST', path: /^\/leaves(\/[^/]+\/cancel)?$/, what: 'leaves' },
  { method: 'POST', path: /^\/passes$/, what: 'passes', visitorOnly: true },
  { method: 'PUT', path: /^\/calendar\/days\/[^/]+$/, what: 'calendar' },
  { method: 'DELETE', path: /^\/calendar\/days\/[^/]+$/, what: 'calendar' },
];

/**
 * Mounted on `/api/access` before the access routes when cloud sync is enabled: a
 * signed-in write to a cloud-owned kind gets 409 with a bilingual message. Requests
 * without a session pass on, so the route still answers 401 (nothing is revealed
 * before sign-in). A visitor pass is refused, a pickup pass (edge-owned) is not; the
 * pass body is parsed here with the API's own JSON limits to tell them apart.
 */
export function cloudOwnershipGuard(deps: { store: Store; maxBodyBytes: number }): RequestHandler {
  const parse = jsonBody(deps.maxBodyBytes);
  const signedIn = (req: Request): boolean => {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    return !!token && deps.store.sessions.get(token) !== undefined;
  };
  const refuse = (res: Response, what: keyof typeof WHAT) => {
    res.status(409).json(errorBody('sync.cloud_owned', { whatZh: WHAT[what]['zh-CN'], whatEn: WHAT[what].en }));
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const rule = CLOUD_OWNED.find((r) => r.method === req.method && r.path.test(req.path));
    if (!rule || !signedIn(req)) return next();
    if (!rule.visitorOnly) return refuse(res, rule.what);
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      const kind = (req.body as { kind?: unknown } | undefined)?.kind;
      if (kind === 'pickup') return next();
      refuse(res, rule.what);
    });
  };
}
