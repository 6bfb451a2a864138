/** How many record files are written (or read, when adopting or replaying) at the same time. */
export const WRITE_CONCURRENCY = 16;
