/**
 * A feature of the edge: the constructor only stores its dependencies; start()
 * does the work; stop() undoes it. Modules start in order and stop in reverse,
 * and one that fails to start is logged without stopping the others.
 */
export interface EdgeModule {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}
