/** The views of the mirror-kill-9 writer: one large (about 300 values of up to 2 KB), one small. */
export const MIRROR_KILL_VIEWS: Readonly<Record<string, string>> = { "big.json": "b/", "keys.json": "k/" };
