export { serveStore, type ServeOptions, type RemoteServer, type RemoteServerStats } from "./server.js";
export type { ClientInfo } from "./server-connection.js";
export { connectStore, type ConnectOptions, type ConnectionChange, type ConnectionState, type RemoteStore } from "./client.js";
export type { RemoteErrorCode } from "./errors.js";
export { StoreError, type StoreErrorCode } from "@store/fs";
export type { Notice } from "./messages.js";
export { reconnectDelayMs } from "./backoff.js";
export {
  PROTOCOL_NAME,
  PROTOCOL_VERSIONS,
  FRAME_BYTES_MAX_DEFAULT,
  FRAME_BYTES_MIN,
  SOCKET_PATH_BYTES_MAX,
  SOCKET_MODE_DEFAULT,
  CONNECTIONS_MAX_DEFAULT,
  SERVER_REQUESTS_IN_FLIGHT_MAX_DEFAULT,
  SUBSCRIPTIONS_MAX_DEFAULT,
  CLIENT_BUFFER_BYTES_MAX_DEFAULT,
  HANDSHAKE_TIMEOUT_MS_DEFAULT,
  CLOSE_GRACE_MS_DEFAULT,
  CLIENT_REQUESTS_IN_FLIGHT_MAX_DEFAULT,
  RECONNECT_DELAY_MS_MIN_DEFAULT,
  RECONNECT_DELAY_MS_MAX_DEFAULT,
  RECONNECT_ATTEMPTS_MAX_DEFAULT,
  CONNECT_TIMEOUT_MS_DEFAULT,
} from "./limits.js";
