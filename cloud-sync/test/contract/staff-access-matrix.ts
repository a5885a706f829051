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
  'GET /schools/:schoolId/roster/:kind':                         [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/roster/:kind/:key':                    [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/roster/:kind/:key':                    [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/roster/:kind/:key':                 [401,  'ok',   'ok',  403,  403,  403,   403,  403,   403,  403,   403],
  'GET /schools/:schoolId/usb-policies':                         [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  'PUT /schools/:schoolId/usb-policies/:key':                    [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  'DELETE /schools/:schoolId/usb-policies/:key':                 [401,  'ok',   403,   403,  403,  403,   403,  403,   'ok', 403,   403],
  'GET /schools/:schoolId/bus/:kind':                            [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus/:kind/:key':                       [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/bus/:kind/:key':                       [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/bus/:kind/:key':                    [401,  'ok',   403,   403,  403,  'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/bus-alarms':                           [401,  'ok',   403,   'ok', 'ok', 'ok',  403,  403,   403,  403,   403],
  'POST /schools/:schoolId/bus-alarms/:alarmId/ack':             [401,  'ok',   403,   'ok', 'ok', 'ok',  403,  403,   403,  403,   403],
  'GET /schools/:schoolId/classes/:classId/students':            [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'PUT /schools/:schoolId/classes/:classId/leaves/:leaveKey':    [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
  'DELETE /schools/:schoolId/classes/:classId/leaves/:leaveKey': [401,  'ok',   'ok',  'ok', 403,  403,   403,  403,   403,  403,   403],
};

export function expected(route: string, who: Who): Outcome | undefined {
  return STAFF_ACCESS_MATRIX[route]?.[WHO.indexOf(who)];
}
