// The protocol's constants and the defaults of every limit, named with their unit. The document of
// record is docs/remote-protocol.md (shipped as dist/remote-protocol.md); change both together.

/** What a hello must name, so that something else listening on the socket is told apart at once. */
export const PROTOCOL_NAME = "store-remote";

/**
 * The protocol versions this code speaks, oldest first. The handshake picks the highest both speak.
 * Version 2 changes only the change event: each op is `["s", key, "<value's JSON text>"]` or
 * `["d", key]`, so a client parses a value only when its listener reads it. Version 3 adds turns
 * on keys: `getMany` with `turn`, `batch` with `turn`, `release`, and the welcome's `turnsMax`.
 */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2, 3];

/** A frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON. */
export const FRAME_HEADER_BYTES = 4;

/** The largest frame payload either end accepts unless told otherwise. */
export const FRAME_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;

/**
 * The least `frameBytesMax` either end may be given: the largest frame a batch (or its change event)
 * within the @store/kv limits can need. `BATCH_BYTES_MAX` (4 MiB) counts keys and JSON values; JSON
 * escaping can double the keys (`"` and `\`), and each of up to 10,000 ops adds at most ~60 bytes of
 * framing: 8 MiB + 0.6 MiB. So every call the contract allows fits in one frame.
 */
export const FRAME_BYTES_MIN = 9 * 1024 * 1024;

/**
 * Results of `scan` and `getMany` are sent in parts of about this many characters of JSON (a part
 * holds whole entries, so one large value can make a part larger, never over `FRAME_BYTES_MIN`).
 */
export const PART_CHARS_TARGET = 1024 * 1024;

/** Linux's `sun_path` holds 108 bytes including the terminating NUL. */
export const SOCKET_PATH_BYTES_MAX = 107;

/** Owner read and write only: no other user of the host can connect. */
export const SOCKET_MODE_DEFAULT = 0o600;

// Server defaults.
export const CONNECTIONS_MAX_DEFAULT = 256;
export const SERVER_REQUESTS_IN_FLIGHT_MAX_DEFAULT = 1024;
export const SUBSCRIPTIONS_MAX_DEFAULT = 256;
export const CLIENT_BUFFER_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
export const HANDSHAKE_TIMEOUT_MS_DEFAULT = 10_000;
export const CLOSE_GRACE_MS_DEFAULT = 1_000;
/** Longest a client may hold a turn on keys before the server takes it back: well above a read-compute-write round trip, short enough that a stuck client stalls the others only briefly. */
export const TURN_MS_MAX_DEFAULT = 1_000;
/** Turns one connection may hold or wait for at once (the client keeps under the number its welcome says). */
export const TURNS_MAX_DEFAULT = 1_024;
/** Disconnect reasons the server keeps, by client id, to tell a client why at its next hello. */
export const DISCONNECT_NOTICES_MAX = 256;

// Client defaults.
export const CLIENT_REQUESTS_IN_FLIGHT_MAX_DEFAULT = 1024;
export const RECONNECT_DELAY_MS_MIN_DEFAULT = 50;
export const RECONNECT_DELAY_MS_MAX_DEFAULT = 2_000;
export const RECONNECT_ATTEMPTS_MAX_DEFAULT = Number.POSITIVE_INFINITY;
export const CONNECT_TIMEOUT_MS_DEFAULT = 10_000;

/** Longest client `name` (shown in the server's reports), in characters. */
export const CLIENT_NAME_CHARS_MAX = 100;
