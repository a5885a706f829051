/**
 * Where the agent's files live on a PC. The config file's schema is in protocol
 * (@campus/protocol/usb/agent-config): the edge, which writes these files, and the agent,
 * which reads them, share that one description.
 */

/** Where systemd's unit points the agent; `campus-guard request` looks here too. */
export const DEFAULT_CONFIG_PATH = '/etc/campus-guard/campus-guard.json';
export const DEFAULT_SPOOL_DIR = '/var/spool/campus-guard/requests';
