/**
 * The game's data as a SQL developer would lay it out for better-sqlite3: one row per player, per
 * balance, per history movement, per game and per player in a game; an index on score for the
 * leaderboard and one on expiry for the sweeper; idempotency keys in their own table.
 */
export const gameSchemaSql = `
CREATE TABLE IF NOT EXISTS players (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  games INTEGER NOT NULL DEFAULT 0,
  wins INTEGER NOT NULL DEFAULT 0,
  losses INTEGER NOT NULL DEFAULT 0,
  draws INTEGER NOT NULL DEFAULT 0,
  score INTEGER NOT NULL DEFAULT 0,
  streak INTEGER NOT NULL DEFAULT 0,
  best_streak INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS players_by_score ON players (score DESC, id);
CREATE TABLE IF NOT EXISTS player_type_stats (
  player_id TEXT NOT NULL,
  type TEXT NOT NULL,
  games INTEGER NOT NULL,
  wins INTEGER NOT NULL,
  losses INTEGER NOT NULL,
  draws INTEGER NOT NULL,
  score INTEGER NOT NULL,
  PRIMARY KEY (player_id, type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS balances (
  player_id TEXT PRIMARY KEY,
  balance INTEGER NOT NULL CHECK (balance >= 0),
  last_daily_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS movements (
  id INTEGER PRIMARY KEY,
  player_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  balance INTEGER NOT NULL,
  ref TEXT
);
CREATE INDEX IF NOT EXISTS movements_by_player ON movements (player_id, id);
CREATE TABLE IF NOT EXISTS games (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  channel_id TEXT,
  state TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS games_by_expiry ON games (expires_at_ms);
CREATE TABLE IF NOT EXISTS game_players (
  game_id TEXT NOT NULL,
  player_id TEXT NOT NULL,
  stake INTEGER NOT NULL CHECK (stake >= 0),
  PRIMARY KEY (game_id, player_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  op TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS supply (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  granted INTEGER NOT NULL,
  spent INTEGER NOT NULL
);
INSERT OR IGNORE INTO supply (id, granted, spent) VALUES (1, 0, 0);
`;

/** Every statement the game runs, prepared once at open. */
export const gameStatementsSql = {
  idempotencyGet: "SELECT op, fingerprint, result FROM idempotency WHERE key = ?",
  idempotencyPut: "INSERT INTO idempotency (key, at_ms, op, fingerprint, result) VALUES (?, ?, ?, ?, ?)",
  balanceGet: "SELECT balance FROM balances WHERE player_id = ?",
  balanceCredit:
    "INSERT INTO balances (player_id, balance) VALUES (?, ?) ON CONFLICT (player_id) DO UPDATE SET balance = balance + excluded.balance RETURNING balance",
  // The balance check is the WHERE clause: no row comes back when the player is short.
  balanceDebit: "UPDATE balances SET balance = balance - ? WHERE player_id = ? AND balance >= ? RETURNING balance",
  movementAdd: "INSERT INTO movements (player_id, at_ms, kind, amount, balance, ref) VALUES (?, ?, ?, ?, ?, ?)",
  // Keeps the newest `historyMax` movements of the player: drops those at or below the one just older.
  movementTrim:
    "DELETE FROM movements WHERE player_id = ? AND id <= (SELECT id FROM movements WHERE player_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
  gameGet: "SELECT type, expires_at_ms AS expiresAtMs FROM games WHERE id = ?",
  gameInsert:
    "INSERT INTO games (id, type, channel_id, state, created_at_ms, updated_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
  gameDelete: "DELETE FROM games WHERE id = ?",
  gamePlayerInsert: "INSERT INTO game_players (game_id, player_id, stake) VALUES (?, ?, ?)",
  gamePlayers: "SELECT player_id AS playerId, stake FROM game_players WHERE game_id = ?",
  gamePlayersDelete: "DELETE FROM game_players WHERE game_id = ?",
  playerInsert:
    "INSERT INTO players (id, name, created_at_ms, games, wins, losses, draws, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  playerEnsure: "INSERT INTO players (id, name, created_at_ms) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
  // SET expressions see the row as it was, so the streak is computed from the old one.
  playerResult: `UPDATE players SET games = games + 1, wins = wins + @win, losses = losses + @loss, draws = draws + @draw,
    score = score + @score, streak = CASE WHEN @win = 1 THEN streak + 1 ELSE 0 END,
    best_streak = MAX(best_streak, CASE WHEN @win = 1 THEN streak + 1 ELSE 0 END) WHERE id = @id`,
  typeResult: `INSERT INTO player_type_stats (player_id, type, games, wins, losses, draws, score) VALUES (@id, @type, 1, @win, @loss, @draw, @score)
    ON CONFLICT (player_id, type) DO UPDATE SET games = games + 1, wins = wins + excluded.wins, losses = losses + excluded.losses,
    draws = draws + excluded.draws, score = score + excluded.score`,
  supplyAdd: "UPDATE supply SET granted = granted + ?, spent = spent + ? WHERE id = 1",
  top: "SELECT id, score FROM players ORDER BY score DESC, id LIMIT ?",
  rank: "SELECT 1 + (SELECT COUNT(*) FROM players WHERE score > p.score) FROM players AS p WHERE p.id = ?",
  totals: `SELECT (SELECT COUNT(*) FROM players) AS players,
    (SELECT COALESCE(SUM(balance), 0) FROM balances) + (SELECT COALESCE(SUM(stake), 0) FROM game_players) AS tokens,
    (SELECT COUNT(*) FROM games) AS openGames, (SELECT granted - spent FROM supply WHERE id = 1) AS issued`,
} as const;
