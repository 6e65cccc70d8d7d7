// `npm start` on a port something else holds: the refusal names the port and the setting that moves it,
// not only Node's "listen EADDRINUSE".

export interface Listener {
  /** What could not listen, as the operator knows it: "the vault", "the demo shop". */
  what: string;
  /** The environment variable that chooses its port. */
  variable: 'PORT' | 'DEMO_PORT';
  port: number;
  /** Another setting that must move with it, if any. */
  alsoSet?: string;
}

/** Rethrows a listen error on a busy port as one that says which port, whose, and how to move it. */
export const portInUse =
  (listener: Listener) =>
  (err: unknown): never => {
    if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') throw err;
    const other = listener.port + 1;
    const also = listener.alsoSet ? ` (and ${listener.alsoSet}, if you set it)` : '';
    throw new Error(
      `port ${listener.port} is already in use, so ${listener.what} cannot listen there: stop what holds it, ` +
        `or choose another port with ${listener.variable}${also}, e.g. ${listener.variable}=${other} npm start`,
    );
  };
