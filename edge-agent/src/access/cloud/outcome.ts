/** What applying one record did: waiting = it refers to a person this edge does not have yet. */
export type Outcome = 'created' | 'applied' | 'unchanged' | 'waiting';

/** A record the edge cannot use (bad key, conflict): logged and counted, the rest goes on. */
export class ProjectionProblem extends Error {}
