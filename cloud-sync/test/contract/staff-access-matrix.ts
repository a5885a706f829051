/**
 * The staff API's access matrix, as data: for every route, what each kind of caller gets
 * when it asks within its own reach (its school, or a school of its district; a head
 * teacher's own class). 'ok' = 2xx; 401 = not signed in; 403 = role not allowed; 404 =
 * outside the caller's reach. The test fails when a route has no row here or a row has
 * no route, so a new route cannot ship without deciding who may use it.
 *
 * Asking about another school (not in the caller's district) is 404 for everyone signed
 * in, on every school and class route; that pass needs no column here.
 */
export const WHO = ['anonymous', 'school_admin', 'office', 'head_teacher', 'teacher', 'transport_manager', 'nurse', 'facility_supervisor', 'it', 'district_admin', 'district_viewer'] as const;
export type Who = (typeof WHO)[number];
export type Outcome = 'ok' | 401 | 403 | 404;

// prettier-ignore
export const STAFF_ACCESS_MATRIX: Record<string, readonly Outcome[]> = {
  //                                                              anon  sch_adm office head  teach transp nurse facil  it    d_adm  d_view
  'POST /session/code':                                          ['ok', 'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'POST /session':                                               ['ok', 'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'GET /session':                                                [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'DELETE /session':                                             [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'PUT /session/password':                                       [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'GET /schools':                                                [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'GET /accounts':                                               [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  'POST /accounts':                                              [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  'GET /accounts/:accountId':                                    [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  'PATCH /accounts/:accountId':                                  [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  'PUT /accounts/:accountId/password':                           [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  'DELETE /accounts/:accountId':                                 [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  'GET /audit':                                                  [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  'GET /schools/:schoolId/edges':                                [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 'ok',  'ok'],
  'GET /schools/:schoolId/edges/live':                           [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 'ok',  'ok'],
  'GET /schools/:schoolId/roster/:kind':                         [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/roster/:kind/:key':                    [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/roster/:kind/:key':                    [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/roster/:kind/:key':                 [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/usb-policies':                         [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  'PUT /schools/:schoolId/usb-policies/:key':                    [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  'DELETE /schools/:schoolId/usb-policies/:key':                 [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  'POST /schools/:schoolId/roster-import':                       [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/card-sheets':                         [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus/:kind':                            [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-people':                           [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus/:kind/:key':                       [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/bus/:kind/:key':                       [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/bus/:kind/:key':                    [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-alarms':                           [401,  'ok',   403,   'ok', 'ok', 'ok',  403,  403,   403,  403,   403],
  'POST /schools/:schoolId/bus-alarms/:alarmId/ack':             [401,  'ok',   403,   'ok', 'ok', 'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-requests':                         [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-photos/:photoId':                   [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'POST /schools/:schoolId/bus-requests/:requestId/decision':     [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-fleet':                            [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-reports':                          [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-reports/:tripId':                  [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-report-export':                    [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/classes/:classId/students':            [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/classes/:classId/leaves/:leaveKey':    [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/classes/:classId/leaves/:leaveKey': [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  // open data (keys, webhooks, exports): the school's admin only
  'GET /schools/:schoolId/api-keys':                             [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/api-keys':                            [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/api-keys/:keyId':                   [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/webhooks':                             [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/webhooks':                            [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'PATCH /schools/:schoolId/webhooks/:webhookId':                [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/webhooks/:webhookId':               [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/webhooks/:webhookId/deliveries':       [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/exports':                             [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  // district view: the bureau reads (counts only), a school admin their own school; the viewer never writes
  'GET /district/report':                                        [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  'ok'],
  'GET /district/report/export':                                 [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  'ok'],
  'POST /district/rollup/rebuild':                               [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  'ok',  403],
  // Home-school (家校). A teacher decides only as the class's deputy while its head teacher is away (not so here: 403).
  'GET /schools/:schoolId/leave-requests':                       [401,  'ok',   'ok',  'ok', 'ok', 403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/leave-requests':                      [401,  'ok',   'ok',  'ok', 'ok', 403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/leave-requests/:requestId/decision':  [401,  'ok',   403,   'ok', 403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/leave-stats':                          [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/classes/:classId/deputy':              [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/staff-absences/:accountId':            [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  // A visit is decided by the office or the teacher visited (none of these accounts is a host: 403).
  'GET /schools/:schoolId/visit-requests':                       [401,  'ok',   'ok',  'ok', 'ok', 403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/visit-requests/:requestId/decision':  [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/visits/pass-key':                      [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  'PUT /schools/:schoolId/visits/places':                        [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  // Roll call: the head teacher of the class, any teacher (a lesson in that class), the admin.
  'GET /schools/:schoolId/classes/:classId/roll-call':           [401,  'ok',   403,   'ok', 'ok', 403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/classes/:classId/roll-call':           [401,  'ok',   403,   'ok', 'ok', 403,   403,  403,   403,  403,   403],
  // Work-order notices to staff: the own push subscriptions (self), who was told (admin, facility supervisor).
  'GET /session/push-subscriptions':                             [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'PUT /session/push-subscriptions':                             [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'DELETE /session/push-subscriptions':                          [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'GET /schools/:schoolId/staff-notices':                        [401,  'ok',   403,   403,  403,  403,   403,  'ok',  403,  403,   403],
  'GET /schools/:schoolId/guardian-notices':                     [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  // Health (晨检/申报): the morning check by the class's teachers and the nurse; roll-ups for the health office (nurse, admin, office; head teachers their classes).
  'GET /schools/:schoolId/classes/:classId/health':              [401,  'ok',   403,   'ok', 'ok', 403,   'ok', 403,   403,  403,   403],
  'PUT /schools/:schoolId/classes/:classId/health-checks':       [401,  'ok',   403,   'ok', 'ok', 403,   'ok', 403,   403,  403,   403],
  'GET /schools/:schoolId/health/summary':                       [401,  'ok',   'ok',  'ok', 403,  403,   'ok', 403,   403,  403,   403],
  'GET /schools/:schoolId/health/undeclared':                    [401,  'ok',   'ok',  403,  403,  403,   'ok', 403,   403,  403,   403],
  'PUT /schools/:schoolId/health/policy':                        [401,  'ok',   403,   403,  403,  403,   'ok', 403,   403,  403,   403],
  // Medical notes: entered by the nurse; opened with a reason by the nurse and the class's teachers (this teacher is of no class: 403).
  'PUT /schools/:schoolId/students/:studentKey/medical':         [401,  403,    403,   403,  403,  403,   'ok', 403,   403,  403,   403],
  'POST /schools/:schoolId/students/:studentKey/medical/read':   [401,  403,    403,   'ok', 403,  403,   'ok', 403,   403,  403,   403],
  'GET /schools/:schoolId/students/:studentKey/medical/reads':   [401,  'ok',   403,   403,  403,  403,   'ok', 403,   403,  403,   403],
  // PIPL: a student's data exported or erased by the school's admin.
  'POST /schools/:schoolId/students/:studentKey/export':         [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/students/:studentKey/erase':          [401,  'ok',   403,   403,  403,  403,   403,  403,   403,  403,   403],
  'GET /home/alerts':                                            [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  // Switching to the guardian role: none of these accounts is linked to a guardian person (404, clear message).
  'POST /home/guardian-session':                                 [401,  404,    404,   404,  404,  404,   404,  404,   404,  404,   404],
  // Home-school messages: announcements of a class by its teachers (head teacher of C1 here; this teacher teaches no class:
  // refused, or 404 for a notice they do not manage), school-wide by the office; conversations are the caller's own.
  'POST /schools/:schoolId/home/notices':                        [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/home/notices':                         [401,  'ok',   'ok',  'ok', 'ok', 403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/home/notices/:noticeId/files':         [401,  'ok',   'ok',  'ok', 404,  403,   403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/home/notices/:noticeId':             [401,  'ok',   'ok',  'ok', 404,  403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/home/notices/:noticeId/publish':       [401,  'ok',   'ok',  'ok', 404,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/home/notices/:noticeId/files/:fileId':  [401,  'ok',   'ok',  'ok', 404,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/home/notices/:noticeId/receipts':       [401,  'ok',   'ok',  'ok', 404,  403,   403,  403,   403,  403,   403],
  'POST /schools/:schoolId/home/notices/:noticeId/remind':        [401,  'ok',   'ok',  'ok', 404,  403,   403,  403,   403,  403,   403],
  'GET /home/threads':                                           [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'GET /home/threads/:threadId':                                 [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'POST /home/threads/:threadId/messages':                       [401,  'ok',   'ok',  'ok', 'ok', 'ok',  'ok', 'ok',  'ok', 'ok',  'ok'],
  'GET /schools/:schoolId/classes/:classId/info':                [401,  'ok',   'ok',  'ok', 'ok', 403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/classes/:classId/teachers':            [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/classes/:classId/timetable':           [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/home/rules':                           [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  // 接龙 forms: the class's teachers (a teacher who does not teach C1: 403), the office and admin.
  'POST /schools/:schoolId/classes/:classId/forms':              [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/classes/:classId/forms':               [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/classes/:classId/forms/:formId':       [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/classes/:classId/forms/:formId/export': [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
};

export function expected(route: string, who: Who): Outcome | undefined {
  return STAFF_ACCESS_MATRIX[route]?.[WHO.indexOf(who)];
}
