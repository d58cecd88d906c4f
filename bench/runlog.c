/*
 * runlog.c - the SQLite run log (see runlog.h).  Prepared statements only;
 * schema versioned with PRAGMA user_version and migrated forward in order.
 */
#include "bench/runlog.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each entry migrates from version i to i + 1; append, never edit. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  created REAL NOT NULL, finished REAL, status TEXT NOT NULL,"
	"  task TEXT NOT NULL, task_version INTEGER, family TEXT,"
	"  backend TEXT NOT NULL, model TEXT, baseline INTEGER NOT NULL DEFAULT 0,"
	"  config TEXT NOT NULL, config_hash TEXT NOT NULL, task_json TEXT,"
	"  code_version TEXT, host TEXT,"
	"  n_samples INTEGER, n_done INTEGER, n_errors INTEGER, n_bad_records INTEGER,"
	"  wall_s REAL, cpu_s REAL, peak_rss_mb REAL,"
	"  backend_cpu_s REAL, backend_rss_mb REAL, gpu_mem_peak_mb REAL,"
	"  prompt_tokens INTEGER, completion_tokens INTEGER, price REAL,"
	"  latency_p50 REAL, latency_p95 REAL, ttft_p50 REAL, ttft_p95 REAL,"
	"  throughput REAL);"
	"CREATE TABLE samples ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  sample_id TEXT NOT NULL, idx INTEGER NOT NULL,"
	"  prompt TEXT, output TEXT, extracted TEXT, parse_ok INTEGER, score REAL,"
	"  latency_s REAL, ttft_s REAL, prompt_tokens INTEGER, completion_tokens INTEGER,"
	"  bytes_sent INTEGER, bytes_received INTEGER, retries INTEGER, http_status INTEGER,"
	"  cached INTEGER, gpu_mem_peak_mb REAL, error TEXT, created REAL,"
	"  PRIMARY KEY (run_id, sample_id)) WITHOUT ROWID;"
	"CREATE INDEX samples_order ON samples(run_id, idx);"
	"CREATE TABLE metrics ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  metric TEXT NOT NULL, name TEXT NOT NULL, subset TEXT NOT NULL,"
	"  value REAL, ci_low REAL, ci_high REAL, n INTEGER,"
	"  PRIMARY KEY (run_id, metric, name, subset));"
	"CREATE TABLE errors ("
	"  run_id INTEGER NOT NULL, time REAL NOT NULL, kind TEXT NOT NULL,"
	"  sample_id TEXT, message TEXT NOT NULL);"
	"CREATE INDEX errors_run ON errors(run_id);"
	"CREATE TABLE cache ("
	"  key TEXT PRIMARY KEY, backend TEXT, model TEXT, output TEXT NOT NULL,"
	"  prompt_tokens INTEGER, completion_tokens INTEGER, created REAL);",
	/* 1 -> 2: each sample carries its question and its reference (the
	 * ground truth as the metrics saw it, JSON: see vl_sample_ref_json), so
	 * that scoring, reports and compare need not read the dataset again.
	 * Rows written before stay NULL there. */
	"ALTER TABLE samples ADD COLUMN question TEXT;"
	"ALTER TABLE samples ADD COLUMN reference TEXT;",
	/* 2 -> 3: cache keys are XXH3-128 digests (they were two FNV-1a runs):
	 * no old key can match a new one, so the old rows go at once instead
	 * of lingering unreachable. */
	"DELETE FROM cache;",
	/* 3 -> 4: why each answer ended, as the server said ("stop", "length":
	 * cut by max_tokens or a full context); NULL when not reported (older
	 * rows, backends that do not say). */
	"ALTER TABLE samples ADD COLUMN finish_reason TEXT;",
	/* 4 -> 5: a cached answer keeps its finish_reason, so a rerun from the
	 * cache counts the same truncated answers (older entries: NULL). */
	"ALTER TABLE cache ADD COLUMN finish_reason TEXT;",
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(*migrations))
_Static_assert(NMIGRATIONS == VL_RUNLOG_SCHEMA_VERSION, "one migration per schema version");

enum stmt_id {
	ST_BEGIN, ST_COMMIT, ST_PUT_SAMPLE, ST_SET_SCORE, ST_PUT_METRIC, ST_CLEAR_METRICS,
	ST_PUT_ERROR, ST_CLEAR_ERRORS, ST_CACHE_GET, ST_CACHE_PUT, ST_SET_STATUS, ST_LAST_RUN,
	ST_SET_REFERENCE, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
	[ST_PUT_SAMPLE] =
		"INSERT OR REPLACE INTO samples (run_id, sample_id, idx, prompt, output, extracted,"
		" parse_ok, score, latency_s, ttft_s, prompt_tokens, completion_tokens, bytes_sent,"
		" bytes_received, retries, http_status, cached, gpu_mem_peak_mb, error, created,"
		" question, reference, finish_reason)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_SET_SCORE] = "UPDATE samples SET score = ? WHERE run_id = ? AND sample_id = ?",
	[ST_PUT_METRIC] =
		"INSERT OR REPLACE INTO metrics (run_id, metric, name, subset, value, ci_low,"
		" ci_high, n) VALUES (?,?,?,?,?,?,?,?)",
	[ST_CLEAR_METRICS] = "DELETE FROM metrics WHERE run_id = ?",
	[ST_PUT_ERROR] =
		"INSERT INTO errors (run_id, time, kind, sample_id, message) VALUES (?,?,?,?,?)",
	[ST_CLEAR_ERRORS] = "DELETE FROM errors WHERE run_id = ? AND kind = ?",
	[ST_CACHE_GET] =
		"SELECT output, prompt_tokens, completion_tokens, finish_reason FROM cache"
		" WHERE key = ?",
	[ST_CACHE_PUT] =
		"INSERT OR REPLACE INTO cache (key, backend, model, output, prompt_tokens,"
		" completion_tokens, created, finish_reason) VALUES (?,?,?,?,?,?,?,?)",
	[ST_SET_STATUS] = "UPDATE runs SET status = ? WHERE id = ?",
	[ST_LAST_RUN] = "SELECT max(id) FROM runs",
	[ST_SET_REFERENCE] =
		"UPDATE samples SET question = ?, reference = ? WHERE run_id = ? AND sample_id = ?",
};

struct vl_runlog {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int in_txn;
	long pending;           /* rows of the open batch: samples, cache, errors... */
	long pending_samples;   /* of which sample rows */
	double txn_start;
	char commit_err[512];   /* SQLite's message for the last failed batch */
	long lost_rows;         /* rows of failed batches not yet reported */
	long lost_samples;      /* of which sample rows (what the message counts) */
};

static int db_error(struct vl_runlog *rl, struct vl_buf *err, const char *what)
{
	if (err)
		vl_buf_addf(err, "run log: %s: %s", what, sqlite3_errmsg(rl->db));
	return VL_EIO;
}

static int migrate(struct vl_runlog *rl, struct vl_buf *err)
{
	sqlite3_stmt *st;
	int version = 0;

	if (sqlite3_prepare_v2(rl->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_error(rl, err, "cannot read schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > (int)NMIGRATIONS) {
		vl_buf_addf(err, "run log schema version %d is newer than this vleval knows (%d): "
			    "upgrade vleval", version, (int)NMIGRATIONS);
		return VL_EINVAL;
	}
	for (size_t v = (size_t)version; v < NMIGRATIONS; v++) {
		char pragma[64];
		char *msg = NULL;

		/* one transaction per step: a crash never leaves half a schema */
		if (sqlite3_exec(rl->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(rl->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK) {
			vl_buf_addf(err, "run log: migration to schema %zu failed: %s", v + 1,
				    msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_exec(rl->db, "ROLLBACK", NULL, NULL, NULL);
			return VL_EIO;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", v + 1);
		if (sqlite3_exec(rl->db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(rl->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			vl_buf_addf(err, "run log: cannot commit schema %zu: %s", v + 1, msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_exec(rl->db, "ROLLBACK", NULL, NULL, NULL);
			return VL_EIO;
		}
	}
	return 0;
}

int vl_runlog_open(const char *path, struct vl_runlog **out, struct vl_buf *err)
{
	struct vl_runlog *rl = vl_xcalloc(1, sizeof(*rl));
	char *msg = NULL;
	int rc;

	*out = NULL;
	if (sqlite3_open_v2(path, &rl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		vl_buf_addf(err, "cannot open run log '%s': %s", path,
			    rl->db ? sqlite3_errmsg(rl->db) : "out of memory");
		sqlite3_close(rl->db);
		vl_free(rl);
		return VL_EIO;
	}
	sqlite3_busy_timeout(rl->db, 10000);
	/* WAL + NORMAL: a committed batch survives a killed process; readers
	 * (vleval show) never block the writer */
	/* mmap: reports scan every sample row of many runs; reading pages in
	 * place instead of copying them through the page cache halves that */
	if (sqlite3_exec(rl->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON; PRAGMA mmap_size=1073741824;", NULL, NULL,
			 &msg) != SQLITE_OK) {
		vl_buf_addf(err, "cannot use '%s' as a run log: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	rc = migrate(rl, err);
	if (rc < 0)
		goto fail;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(rl->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &rl->st[i], NULL) != SQLITE_OK) {
			db_error(rl, err, "cannot prepare statement");
			goto fail;
		}
	}
	*out = rl;
	return 0;
fail:
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(rl->st[i]);
	sqlite3_close(rl->db);
	vl_free(rl);
	return VL_EIO;
}

/* Opens path through a file: URI with mode=ro or immutable=1; the probe
 * reads the schema version, which is where a read-only WAL database fails
 * when its -shm cannot be created. */
static int open_ro_uri(struct vl_runlog *rl, const char *path, int immutable, int *version)
{
	struct vl_buf uri = VL_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	vl_buf_adds(&uri, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '?' || *p == '#' || *p == '%')
			vl_buf_addf(&uri, "%%%02x", *p);
		else
			vl_buf_addch(&uri, *p);
	}
	vl_buf_adds(&uri, immutable ? "?immutable=1" : "?mode=ro");
	rc = sqlite3_open_v2(vl_buf_str(&uri), &rl->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
			     NULL);
	vl_buf_release(&uri);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(rl->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*version = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Size of path's -wal file, 0 when there is none. */
static long long wal_bytes(const char *path)
{
	struct vl_buf w = VL_BUF_INIT;
	struct stat st;
	long long n;

	vl_buf_addf(&w, "%s-wal", path);
	n = stat(vl_buf_str(&w), &st) == 0 ? (long long)st.st_size : 0;
	vl_buf_release(&w);
	return n;
}

int vl_runlog_check_writable(struct vl_runlog *rl, const char *path, struct vl_buf *err)
{
	if (sqlite3_db_readonly(rl->db, "main") != 1)
		return 0;
	vl_buf_addf(err, "run log '%s' is read-only (%s): nothing can be logged there; 'vleval "
		    "runs' and 'show' read it, and a run can be resumed from a writable copy "
		    "(the log and its -wal file)", path,
		    access(path, W_OK) != 0 ? strerror(errno) : "SQLite opened it for reading only");
	return VL_EIO;
}

int vl_runlog_open_readonly(const char *path, struct vl_runlog **out, struct vl_buf *err)
{
	struct vl_runlog *rl = vl_xcalloc(1, sizeof(*rl));
	int version = 0, rc;
	char *dir = vl_xstrdup(path), *slash = strrchr(dir, '/');

	*out = NULL;
	if (access(path, R_OK) != 0) {
		vl_buf_addf(err, "cannot open run log '%s': %s", path, strerror(errno));
		vl_free(dir);
		vl_free(rl);
		return errno == ENOENT ? VL_ENOTFOUND : VL_EIO;
	}
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	/* mode=ro reads the WAL, where the last commits of a run killed
	 * before it could checkpoint are, even on read-only media as long as
	 * the -shm file is there (SQLite then reads the WAL into memory).  A
	 * directory we cannot write and no -shm (an archived CI artefact):
	 * the file is read as immutable, which nobody can be writing to */
	rc = open_ro_uri(rl, path, 0, &version);
	if (rc != SQLITE_OK) {
		sqlite3_close(rl->db);
		rl->db = NULL;
		if (access(slash ? dir : ".", W_OK) != 0 && wal_bytes(path) > 0) {
			/* immutable ignores the WAL: its runs and samples would
			 * be missing without a word */
			vl_buf_addf(err, "cannot read run log '%s': its last commits are in '%s-wal', "
				    "which SQLite reads only with the '-shm' file beside it or in a "
				    "folder it can write: copy the log and its -wal file to one",
				    path, path);
			vl_free(dir);
			goto fail;
		}
		rc = open_ro_uri(rl, path, 1, &version);
	}
	vl_free(dir);
	if (rc != SQLITE_OK) {
		vl_buf_addf(err, "cannot read run log '%s': %s", path,
			    rl->db ? sqlite3_errmsg(rl->db) : "out of memory");
		goto fail;
	}
	if (version == 0) {
		vl_buf_addf(err, "run log '%s' holds no run: it is empty or not a run log (a run "
			    "that dies before its first commit leaves nothing to resume: start it "
			    "again)", path);
		goto fail;
	}
	if (version > (int)NMIGRATIONS) {
		vl_buf_addf(err, "run log schema version %d is newer than this vleval knows (%d): "
			    "upgrade vleval", version, (int)NMIGRATIONS);
		goto fail;
	}
	/* an older schema cannot be migrated here: a temporary view (in
	 * memory, shadowing main.samples) adds the columns it lacks as NULL,
	 * so every query reads it as the current schema */
	if (version < 4) {
		char sql[256];
		snprintf(sql, sizeof(sql), "CREATE TEMP VIEW samples AS SELECT *%s,"
			 " NULL AS finish_reason FROM main.samples",
			 version < 2 ? ", NULL AS question, NULL AS reference" : "");
		if (sqlite3_exec(rl->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			db_error(rl, err, "cannot read an older run log");
			goto fail;
		}
	}
	/* the writing statements are prepared too (an older schema may lack
	 * their columns: then they stay NULL and any write fails cleanly) */
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_prepare_v3(rl->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &rl->st[i],
				   NULL);
	*out = rl;
	return 0;
fail:
	sqlite3_close(rl->db);
	vl_free(rl);
	return VL_EIO;
}

/* SQLite's message for the last failed write of this thread: a write that
 * fails inside a batch (a cache row on a full disk) makes SQLite roll the
 * whole batch back, and the COMMIT after it only says "no transaction". */
static _Thread_local char last_step_err[256];

static int step_reset(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		snprintf(last_step_err, sizeof(last_step_err), "%s",
			 sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : VL_EIO;
}

int vl_runlog_flush(struct vl_runlog *rl)
{
	long rows = rl->pending, samples = rl->pending_samples;

	if (!rl->in_txn)
		return 0;
	rl->in_txn = 0;
	rl->pending = 0;
	rl->pending_samples = 0;
	if (step_reset(rl->st[ST_COMMIT]) == 0)
		return 0;
	if (sqlite3_get_autocommit(rl->db) && last_step_err[0])
		snprintf(rl->commit_err, sizeof(rl->commit_err), "%s (a write of the batch failed "
			 "and SQLite rolled it back)", last_step_err);
	else
		snprintf(rl->commit_err, sizeof(rl->commit_err), "%s", sqlite3_errmsg(rl->db));
	rl->lost_rows += rows;
	rl->lost_samples += samples;
	/* a failed COMMIT (disk full) may leave the transaction open: roll it
	 * back so that the next batch can begin; the batch is lost, and a
	 * resume redoes it */
	if (!sqlite3_get_autocommit(rl->db))
		sqlite3_exec(rl->db, "ROLLBACK", NULL, NULL, NULL);
	return VL_EIO;
}

/* The message for a batch whose COMMIT failed: what failed, that what was
 * committed before is kept, and how to go on. */
static int commit_error(struct vl_runlog *rl, long long run, const char *why,
			struct vl_buf *err)
{
	long n = rl->lost_samples;

	/* samples only: a batch also holds their cache rows and error rows,
	 * which a user does not count */
	if (err && n > 0)
		vl_buf_addf(err, "run log: cannot commit the last %ld sample%s of run %lld: %s; "
			    "the samples committed before are kept, and the run can be resumed "
			    "once the cause is fixed (e.g. disk space freed)",
			    n, n == 1 ? "" : "s", run, why);
	else if (err)
		vl_buf_addf(err, "run log: cannot commit the last writes of run %lld: %s; the "
			    "samples committed before are kept, and the run can be resumed once "
			    "the cause is fixed (e.g. disk space freed)", run, why);
	rl->lost_rows = 0;
	rl->lost_samples = 0;
	return VL_EIO;
}

int vl_runlog_commit(struct vl_runlog *rl, long long run, struct vl_buf *err)
{
	vl_runlog_flush(rl);
	if (rl->lost_rows > 0)
		return commit_error(rl, run, rl->commit_err, err);
	return 0;
}

static int begin_if_needed(struct vl_runlog *rl)
{
	if (rl->in_txn && sqlite3_get_autocommit(rl->db)) {
		/* a write of the batch (a cache or error row on a full disk)
		 * failed and SQLite rolled the batch back: count it lost now and
		 * begin a new one, or the next rows would each be committed on
		 * their own, outside any batch, and be counted lost as well */
		snprintf(rl->commit_err, sizeof(rl->commit_err), "%s (a write of the batch failed "
			 "and SQLite rolled it back)", last_step_err[0] ? last_step_err : "?");
		rl->lost_rows += rl->pending;
		rl->lost_samples += rl->pending_samples;
		rl->pending = 0;
		rl->pending_samples = 0;
		rl->in_txn = 0;
	}
	if (rl->in_txn)
		return 0;
	if (step_reset(rl->st[ST_BEGIN]) < 0)
		return VL_EIO;
	rl->in_txn = 1;
	rl->txn_start = vl_now();
	return 0;
}

int vl_runlog_tick(struct vl_runlog *rl)
{
	if (rl->in_txn && (rl->pending >= VL_RUNLOG_BATCH_ROWS ||
			   vl_now() - rl->txn_start >= VL_RUNLOG_BATCH_SECONDS))
		return vl_runlog_flush(rl);
	return 0;
}

void vl_runlog_close(struct vl_runlog *rl)
{
	if (!rl)
		return;
	vl_runlog_flush(rl);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(rl->st[i]);
	sqlite3_close(rl->db);
	vl_free(rl);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, double v, int null_if_negative)
{
	if (isnan(v) || (null_if_negative && v < 0))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

static void bind_count(sqlite3_stmt *st, int i, long long v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static char *col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? vl_xstrdup((const char *)s) : NULL;
}

static double col_real(sqlite3_stmt *st, int i, double null_value)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? null_value
							  : sqlite3_column_double(st, i);
}

static long long col_int(sqlite3_stmt *st, int i, long long null_value)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? null_value
							  : sqlite3_column_int64(st, i);
}

int vl_runlog_create_run(struct vl_runlog *rl, const struct vl_run_info *ri, long long *id,
			 struct vl_buf *err)
{
	sqlite3_stmt *st;
	int rc;

	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db,
			       "INSERT INTO runs (created, status, task, task_version, family, backend,"
			       " model, baseline, config, config_hash, task_json, code_version, host,"
			       " n_samples, n_done, n_errors, n_bad_records)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0,0,0,0)", -1, &st, NULL) != SQLITE_OK)
		return db_error(rl, err, "cannot create run");
	sqlite3_bind_double(st, 1, ri->created);
	bind_text(st, 2, ri->status ? ri->status : "running");
	bind_text(st, 3, ri->task);
	sqlite3_bind_int(st, 4, ri->task_version);
	bind_text(st, 5, ri->family);
	bind_text(st, 6, ri->backend);
	bind_text(st, 7, ri->model);
	sqlite3_bind_int(st, 8, ri->baseline);
	bind_text(st, 9, ri->config);
	bind_text(st, 10, ri->config_hash);
	bind_text(st, 11, ri->task_json);
	bind_text(st, 12, ri->code_version);
	bind_text(st, 13, ri->host);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(rl, err, "cannot create run");
	*id = sqlite3_last_insert_rowid(rl->db);
	return 0;
}

/* A run still marked running (being written, or killed: its counts are
 * written when it ends) is counted from its sample rows, so that runs and
 * show tell what a crash left and a resume will keep. */
#define RUN_COLUMNS \
	"id, created, finished, status, task, task_version, family, backend, model, baseline," \
	" config, config_hash, task_json, code_version, host, n_samples," \
	" CASE WHEN status = 'running' THEN (SELECT count(*) - count(error) FROM samples" \
	"  WHERE run_id = runs.id) ELSE n_done END," \
	" CASE WHEN status = 'running' THEN (SELECT count(error) FROM samples" \
	"  WHERE run_id = runs.id) ELSE n_errors END," \
	" n_bad_records, wall_s, cpu_s, peak_rss_mb, backend_cpu_s, backend_rss_mb," \
	" gpu_mem_peak_mb, prompt_tokens, completion_tokens, price, latency_p50, latency_p95," \
	" ttft_p50, ttft_p95, throughput"

/* Fills ri from a row of RUN_COLUMNS; strings owned by ri. */
static void read_run(sqlite3_stmt *st, struct vl_run_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->id = sqlite3_column_int64(st, 0);
	ri->created = col_real(st, 1, 0);
	ri->finished = col_real(st, 2, 0);
	ri->status = col_strdup(st, 3);
	ri->task = col_strdup(st, 4);
	ri->task_version = (int)col_int(st, 5, 0);
	ri->family = col_strdup(st, 6);
	ri->backend = col_strdup(st, 7);
	ri->model = col_strdup(st, 8);
	ri->baseline = (int)col_int(st, 9, 0);
	ri->config = col_strdup(st, 10);
	ri->config_hash = col_strdup(st, 11);
	ri->task_json = col_strdup(st, 12);
	ri->code_version = col_strdup(st, 13);
	ri->host = col_strdup(st, 14);
	ri->n_samples = (long)col_int(st, 15, -1);
	ri->n_done = (long)col_int(st, 16, 0);
	ri->n_errors = (long)col_int(st, 17, 0);
	ri->n_bad_records = (long)col_int(st, 18, 0);
	ri->wall_s = col_real(st, 19, -1);
	ri->cpu_s = col_real(st, 20, -1);
	ri->peak_rss_mb = col_real(st, 21, -1);
	ri->backend_cpu_s = col_real(st, 22, -1);
	ri->backend_rss_mb = col_real(st, 23, -1);
	ri->gpu_mem_peak_mb = col_real(st, 24, -1);
	ri->prompt_tokens = col_int(st, 25, -1);
	ri->completion_tokens = col_int(st, 26, -1);
	ri->price = col_real(st, 27, -1);
	ri->latency_p50 = col_real(st, 28, -1);
	ri->latency_p95 = col_real(st, 29, -1);
	ri->ttft_p50 = col_real(st, 30, -1);
	ri->ttft_p95 = col_real(st, 31, -1);
	ri->throughput = col_real(st, 32, -1);
}

void vl_run_info_release(struct vl_run_info *ri)
{
	vl_free(ri->status);
	vl_free(ri->task);
	vl_free(ri->family);
	vl_free(ri->backend);
	vl_free(ri->model);
	vl_free(ri->config);
	vl_free(ri->config_hash);
	vl_free(ri->task_json);
	vl_free(ri->code_version);
	vl_free(ri->host);
	memset(ri, 0, sizeof(*ri));
}

int vl_runlog_get_run(struct vl_runlog *rl, long long id, struct vl_run_info *out,
		      struct vl_buf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(rl->db, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(rl, err, "cannot read run");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_run(st, out);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		vl_buf_addf(err, "no run %lld in the run log", id);
		return VL_ENOTFOUND;
	}
	return db_error(rl, err, "cannot read run");
}

long long vl_runlog_last_run(struct vl_runlog *rl)
{
	sqlite3_stmt *st = rl->st[ST_LAST_RUN];
	long long id = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		id = col_int(st, 0, 0);
	sqlite3_reset(st);
	return id;
}

int vl_runlog_set_status(struct vl_runlog *rl, long long id, const char *status)
{
	sqlite3_stmt *st = rl->st[ST_SET_STATUS];

	vl_runlog_flush(rl);
	bind_text(st, 1, status);
	sqlite3_bind_int64(st, 2, id);
	return step_reset(st);
}

int vl_runlog_update_run(struct vl_runlog *rl, const struct vl_run_info *ri, struct vl_buf *err)
{
	sqlite3_stmt *st;
	int rc;

	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db,
			       "UPDATE runs SET finished=?, status=?, n_samples=?, n_done=?, n_errors=?,"
			       " n_bad_records=?, wall_s=?, cpu_s=?, peak_rss_mb=?, backend_cpu_s=?,"
			       " backend_rss_mb=?, gpu_mem_peak_mb=?, prompt_tokens=?,"
			       " completion_tokens=?, price=?, latency_p50=?, latency_p95=?,"
			       " ttft_p50=?, ttft_p95=?, throughput=? WHERE id=?", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(rl, err, "cannot update run");
	bind_real(st, 1, ri->finished, 1);
	bind_text(st, 2, ri->status);
	bind_count(st, 3, ri->n_samples);
	bind_count(st, 4, ri->n_done);
	bind_count(st, 5, ri->n_errors);
	bind_count(st, 6, ri->n_bad_records);
	bind_real(st, 7, ri->wall_s, 1);
	bind_real(st, 8, ri->cpu_s, 1);
	bind_real(st, 9, ri->peak_rss_mb, 1);
	bind_real(st, 10, ri->backend_cpu_s, 1);
	bind_real(st, 11, ri->backend_rss_mb, 1);
	bind_real(st, 12, ri->gpu_mem_peak_mb, 1);
	bind_count(st, 13, ri->prompt_tokens);
	bind_count(st, 14, ri->completion_tokens);
	bind_real(st, 15, ri->price, 1);
	bind_real(st, 16, ri->latency_p50, 1);
	bind_real(st, 17, ri->latency_p95, 1);
	bind_real(st, 18, ri->ttft_p50, 1);
	bind_real(st, 19, ri->ttft_p95, 1);
	bind_real(st, 20, ri->throughput, 1);
	sqlite3_bind_int64(st, 21, ri->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(rl, err, "cannot update run");
}

int vl_runlog_put_sample(struct vl_runlog *rl, long long run, const struct vl_sample_row *r,
			 struct vl_buf *err)
{
	sqlite3_stmt *st = rl->st[ST_PUT_SAMPLE];

	if (begin_if_needed(rl) < 0)
		return db_error(rl, err, "cannot begin transaction");
	sqlite3_bind_int64(st, 1, run);
	bind_text(st, 2, r->sample_id);
	sqlite3_bind_int64(st, 3, r->idx);
	bind_text(st, 4, r->prompt);
	bind_text(st, 5, r->output);
	bind_text(st, 6, r->extracted);
	if (r->output)
		sqlite3_bind_int(st, 7, r->parse_ok);
	else
		sqlite3_bind_null(st, 7);
	bind_real(st, 8, r->score, 0);
	bind_real(st, 9, r->latency_s, 1);
	bind_real(st, 10, r->ttft_s, 1);
	bind_count(st, 11, r->prompt_tokens);
	bind_count(st, 12, r->completion_tokens);
	bind_count(st, 13, r->bytes_sent);
	bind_count(st, 14, r->bytes_received);
	sqlite3_bind_int(st, 15, r->retries);
	sqlite3_bind_int(st, 16, r->http_status);
	sqlite3_bind_int(st, 17, r->cached);
	bind_real(st, 18, r->gpu_mem_peak_mb, 1);
	bind_text(st, 19, r->error);
	sqlite3_bind_double(st, 20, vl_wall_time());
	bind_text(st, 21, r->question);
	bind_text(st, 22, r->reference);
	bind_text(st, 23, r->finish_reason);
	if (step_reset(st) < 0) {
		/* a full disk can fail the write itself, not only the COMMIT */
		char why[512];
		snprintf(why, sizeof(why), "%s", sqlite3_errmsg(rl->db));
		rl->pending++;   /* this row is lost with its batch */
		rl->pending_samples++;
		if (sqlite3_get_autocommit(rl->db)) {
			/* SQLite rolled the whole batch back itself (SQLITE_FULL) */
			rl->lost_rows += rl->pending;
			rl->lost_samples += rl->pending_samples;
			rl->pending = 0;
			rl->pending_samples = 0;
			rl->in_txn = 0;
		} else if (vl_runlog_flush(rl) == 0) {
			/* the rows before it were committed: only this one is lost */
			rl->lost_rows += 1;
			rl->lost_samples += 1;
		}
		return commit_error(rl, run, why, err);
	}
	rl->pending++;
	rl->pending_samples++;
	if (vl_runlog_tick(rl) < 0)
		return commit_error(rl, run, rl->commit_err, err);
	return 0;
}

int vl_runlog_set_score(struct vl_runlog *rl, long long run, const char *sample_id, double score)
{
	sqlite3_stmt *st = rl->st[ST_SET_SCORE];

	if (begin_if_needed(rl) < 0)
		return VL_EIO;
	bind_real(st, 1, score, 0);
	sqlite3_bind_int64(st, 2, run);
	bind_text(st, 3, sample_id);
	rl->pending++;
	return step_reset(st);
}

int vl_runlog_set_reference(struct vl_runlog *rl, long long run, const char *sample_id,
			    const char *question, const char *reference)
{
	sqlite3_stmt *st = rl->st[ST_SET_REFERENCE];

	if (begin_if_needed(rl) < 0)
		return VL_EIO;
	bind_text(st, 1, question);
	bind_text(st, 2, reference);
	sqlite3_bind_int64(st, 3, run);
	bind_text(st, 4, sample_id);
	rl->pending++;
	return step_reset(st);
}

#define SAMPLE_COLUMNS \
	"samples.sample_id, samples.idx, prompt, output, extracted, parse_ok, score, latency_s, ttft_s," \
	" prompt_tokens, completion_tokens, bytes_sent, bytes_received, retries, http_status," \
	" cached, gpu_mem_peak_mb, error, question, reference, finish_reason"

/* Runs sql (one parameter: the run id; columns SAMPLE_COLUMNS) and calls fn
 * for each row until it returns non-zero. */
static int walk_samples(struct vl_runlog *rl, const char *sql, long long run,
			int (*fn)(void *ctx, const struct vl_sample_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db, sql, -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vl_sample_row r = {
			.sample_id = (const char *)sqlite3_column_text(st, 0),
			.idx = (long)sqlite3_column_int64(st, 1),
			.prompt = (const char *)sqlite3_column_text(st, 2),
			.output = (const char *)sqlite3_column_text(st, 3),
			.extracted = (const char *)sqlite3_column_text(st, 4),
			.parse_ok = (int)col_int(st, 5, 0),
			.score = col_real(st, 6, NAN),
			.latency_s = col_real(st, 7, -1),
			.ttft_s = col_real(st, 8, -1),
			.prompt_tokens = (long)col_int(st, 9, -1),
			.completion_tokens = (long)col_int(st, 10, -1),
			.bytes_sent = col_int(st, 11, -1),
			.bytes_received = col_int(st, 12, -1),
			.retries = (int)col_int(st, 13, 0),
			.http_status = (int)col_int(st, 14, 0),
			.cached = (int)col_int(st, 15, 0),
			.gpu_mem_peak_mb = col_real(st, 16, -1),
			.error = (const char *)sqlite3_column_text(st, 17),
			.question = (const char *)sqlite3_column_text(st, 18),
			.reference = (const char *)sqlite3_column_text(st, 19),
			.finish_reason = (const char *)sqlite3_column_text(st, 20),
		};
		if (fn(ctx, &r))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : VL_EIO;
}

int vl_runlog_each_sample(struct vl_runlog *rl, long long run, int which,
			  int (*fn)(void *ctx, const struct vl_sample_row *r), void *ctx)
{
	static const char *const sql[] = {
		"SELECT " SAMPLE_COLUMNS " FROM samples WHERE run_id = ? ORDER BY idx",
		"SELECT " SAMPLE_COLUMNS " FROM samples WHERE run_id = ? AND error IS NULL ORDER BY idx",
		"SELECT " SAMPLE_COLUMNS " FROM samples WHERE run_id = ? AND error IS NOT NULL"
		" ORDER BY idx",
	};

	return walk_samples(rl, sql[which < 0 || which > 2 ? 0 : which], run, fn, ctx);
}

int vl_runlog_each_worst_sample(struct vl_runlog *rl, long long run, int higher_is_better,
				long limit,
				int (*fn)(void *ctx, const struct vl_sample_row *r), void *ctx)
{
	struct vl_buf sql = VL_BUF_INIT;
	int rc;

	/* failed, then unparsed, then the worst scores; unscored rows last */
	/* the sort sees only the keys: whole rows are read for the few kept */
	vl_buf_addf(&sql, "WITH w AS (SELECT sample_id, error IS NULL AS e, coalesce(parse_ok, 0) = 1"
		    " AS p, score IS NULL AS u, score AS s, idx FROM samples WHERE run_id = ?1"
		    " ORDER BY e, p, u, s %s, idx LIMIT %ld)"
		    " SELECT " SAMPLE_COLUMNS " FROM w JOIN samples ON samples.run_id = ?1"
		    " AND samples.sample_id = w.sample_id ORDER BY w.e, w.p, w.u, w.s %s, w.idx",
		    higher_is_better ? "ASC" : "DESC", limit > 0 ? limit : -1L,
		    higher_is_better ? "ASC" : "DESC");
	rc = walk_samples(rl, vl_buf_str(&sql), run, fn, ctx);
	vl_buf_release(&sql);
	return rc;
}

int vl_runlog_put_metric(struct vl_runlog *rl, long long run, const char *metric,
			 const char *name, const char *subset, double value, double ci_lo,
			 double ci_hi, long n)
{
	sqlite3_stmt *st = rl->st[ST_PUT_METRIC];

	if (begin_if_needed(rl) < 0)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	bind_text(st, 2, metric);
	bind_text(st, 3, name);
	bind_text(st, 4, subset ? subset : "");
	bind_real(st, 5, value, 0);
	bind_real(st, 6, ci_lo, 0);
	bind_real(st, 7, ci_hi, 0);
	sqlite3_bind_int64(st, 8, n);
	rl->pending++;
	return step_reset(st);
}

int vl_runlog_clear_metrics(struct vl_runlog *rl, long long run)
{
	sqlite3_stmt *st = rl->st[ST_CLEAR_METRICS];

	if (begin_if_needed(rl) < 0)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	return step_reset(st);
}

int vl_runlog_each_metric(struct vl_runlog *rl, long long run,
			  int (*fn)(void *ctx, const struct vl_metric_row *r), void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db, "SELECT metric, name, subset, value, ci_low, ci_high, n"
			       " FROM metrics WHERE run_id = ? ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vl_metric_row r = {
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			col_real(st, 3, NAN), col_real(st, 4, NAN), col_real(st, 5, NAN),
			(long)col_int(st, 6, 0),
		};
		if (fn(ctx, &r))
			break;
	}
	sqlite3_finalize(st);
	return 0;
}

int vl_runlog_put_error(struct vl_runlog *rl, long long run, const char *kind,
			const char *sample_id, const char *message)
{
	sqlite3_stmt *st = rl->st[ST_PUT_ERROR];

	if (begin_if_needed(rl) < 0)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_double(st, 2, vl_wall_time());
	bind_text(st, 3, kind);
	bind_text(st, 4, sample_id);
	bind_text(st, 5, message);
	rl->pending++;
	return step_reset(st);
}

int vl_runlog_clear_errors(struct vl_runlog *rl, long long run, const char *kind)
{
	sqlite3_stmt *st = rl->st[ST_CLEAR_ERRORS];

	if (begin_if_needed(rl) < 0)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	bind_text(st, 2, kind);
	return step_reset(st);
}

int vl_runlog_each_error(struct vl_runlog *rl, long long run,
			 int (*fn)(void *ctx, const struct vl_error_row *r), void *ctx)
{
	sqlite3_stmt *st;

	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db, "SELECT time, kind, sample_id, message FROM errors"
			       " WHERE run_id = ? ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct vl_error_row r = {
			sqlite3_column_double(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			(const char *)sqlite3_column_text(st, 3),
		};
		if (fn(ctx, &r))
			break;
	}
	sqlite3_finalize(st);
	return 0;
}

int vl_runlog_each_run(struct vl_runlog *rl, long limit,
		       int (*fn)(void *ctx, const struct vl_run_info *r), void *ctx)
{
	sqlite3_stmt *st;

	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db, "SELECT " RUN_COLUMNS " FROM runs ORDER BY id DESC LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct vl_run_info ri;
		int stop;
		read_run(st, &ri);
		stop = fn(ctx, &ri);
		vl_run_info_release(&ri);
		if (stop)
			break;
	}
	sqlite3_finalize(st);
	return 0;
}

int vl_runlog_cache_get(struct vl_runlog *rl, const char *key, struct vl_cache_entry *out)
{
	sqlite3_stmt *st = rl->st[ST_CACHE_GET];
	int found = 0;

	bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->output = col_strdup(st, 0);
		out->prompt_tokens = (long)col_int(st, 1, -1);
		out->completion_tokens = (long)col_int(st, 2, -1);
		out->finish_reason = col_strdup(st, 3);
		found = out->output != NULL;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return found ? 0 : VL_ENOTFOUND;
}

int vl_runlog_cache_put(struct vl_runlog *rl, const char *key, const char *backend,
			const char *model, const char *output, long prompt_tokens,
			long completion_tokens, const char *finish_reason)
{
	sqlite3_stmt *st = rl->st[ST_CACHE_PUT];

	if (begin_if_needed(rl) < 0)
		return VL_EIO;
	bind_text(st, 1, key);
	bind_text(st, 2, backend);
	bind_text(st, 3, model);
	bind_text(st, 4, output);
	bind_count(st, 5, prompt_tokens);
	bind_count(st, 6, completion_tokens);
	sqlite3_bind_double(st, 7, vl_wall_time());
	bind_text(st, 8, finish_reason);
	rl->pending++;
	return step_reset(st);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double vl_percentile(const double *sorted, size_t n, double p)
{
	size_t k;

	if (!n)
		return -1;
	k = (size_t)ceil(p * (double)n);
	if (k > n)
		k = n;
	return sorted[k ? k - 1 : 0];
}

int vl_runlog_sample_values(struct vl_runlog *rl, long long run, const char *what,
			    double **out, size_t *n)
{
	static const char *const sql[] = {
		"SELECT latency_s FROM samples WHERE run_id = ? AND error IS NULL"
		" AND latency_s IS NOT NULL AND cached = 0",
		"SELECT ttft_s FROM samples WHERE run_id = ? AND error IS NULL"
		" AND ttft_s IS NOT NULL AND cached = 0",
	};
	double *v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int which = !strcmp(what, "ttft");

	*out = NULL;
	*n = 0;
	if (!which && strcmp(what, "latency"))
		return VL_EINVAL;
	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db, sql[which], -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = vl_xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = sqlite3_column_double(st, 0);
	}
	sqlite3_finalize(st);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_double);
	*out = v;
	return 0;
}

static int percentiles(struct vl_runlog *rl, long long run, const char *what, double *p50,
		       double *p95)
{
	double *v;
	size_t n;

	if (vl_runlog_sample_values(rl, run, what, &v, &n) < 0)
		return VL_EIO;
	*p50 = vl_percentile(v, n, 0.50);
	*p95 = vl_percentile(v, n, 0.95);
	vl_free(v);
	return 0;
}

static void push_value(double **v, size_t *n, double x)
{
	/* grows at powers of two: n alone says when */
	if (!(*n & (*n - 1)) && *n >= 1024)
		*v = vl_xrealloc(*v, 2 * *n * sizeof(**v));
	else if (!*n)
		*v = vl_xrealloc(*v, 1024 * sizeof(**v));
	(*v)[(*n)++] = x;
}

int vl_runlog_run_counts(struct vl_runlog *rl, long long run, struct vl_run_counts *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db,
			       "SELECT error IS NOT NULL, cached, parse_ok, latency_s, ttft_s,"
			       " prompt_tokens, completion_tokens, finish_reason = 'length'"
			       " FROM samples WHERE run_id = ?", -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->total++;
		if (sqlite3_column_int(st, 0)) {
			out->failed++;
			continue;
		}
		out->answered++;
		if (sqlite3_column_int(st, 7))
			out->truncated++;
		if (!sqlite3_column_int(st, 2))
			out->parse_failures++;
		if (sqlite3_column_int(st, 1)) {
			out->cached++;
			out->cached_prompt_tokens += sqlite3_column_int64(st, 5);
			out->cached_completion_tokens += sqlite3_column_int64(st, 6);
			continue;
		}
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			push_value(&out->latency, &out->n_latency, sqlite3_column_double(st, 3));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			push_value(&out->ttft, &out->n_ttft, sqlite3_column_double(st, 4));
	}
	sqlite3_finalize(st);
	if (out->n_latency)
		qsort(out->latency, out->n_latency, sizeof(double), cmp_double);
	if (out->n_ttft)
		qsort(out->ttft, out->n_ttft, sizeof(double), cmp_double);
	return rc == SQLITE_DONE ? 0 : VL_EIO;
}

void vl_run_counts_release(struct vl_run_counts *c)
{
	vl_free(c->latency);
	vl_free(c->ttft);
	memset(c, 0, sizeof(*c));
}

int vl_runlog_each_error_count(struct vl_runlog *rl, long long run,
			       int (*fn)(void *ctx, const char *kind, long n), void *ctx)
{
	sqlite3_stmt *st;

	vl_runlog_flush(rl);
	if (sqlite3_prepare_v2(rl->db,
			       "SELECT kind, count(*) AS n, 0 AS logged FROM (SELECT CASE"
			       " WHEN http_status = 429 THEN 'rate limited (HTTP 429)'"
			       " WHEN http_status >= 500 THEN 'server error (HTTP 5xx)'"
			       " WHEN http_status >= 400 THEN 'client error (HTTP 4xx)'"
			       " WHEN lower(error) LIKE '%timed out%' OR lower(error) LIKE '%timeout%'"
			       "  THEN 'timeout'"
			       " WHEN lower(error) LIKE '%connect%' THEN 'connection'"
			       " ELSE 'backend' END AS kind"
			       " FROM samples WHERE run_id = ?1 AND error IS NOT NULL) GROUP BY kind"
			       " UNION ALL SELECT 'logged ' || kind, count(*), 1 FROM errors"
			       " WHERE run_id = ?1 GROUP BY kind"
			       " ORDER BY logged, n DESC, kind", -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0), (long)sqlite3_column_int64(st, 1)))
			break;
	sqlite3_finalize(st);
	return 0;
}

int vl_runlog_sample_stats(struct vl_runlog *rl, long long run, struct vl_run_info *ri)
{
	sqlite3_stmt *st;

	vl_runlog_flush(rl);
	if (percentiles(rl, run, "latency", &ri->latency_p50, &ri->latency_p95) < 0 ||
	    percentiles(rl, run, "ttft", &ri->ttft_p50, &ri->ttft_p95) < 0)
		return VL_EIO;
	if (sqlite3_prepare_v2(rl->db,
			       /* cached answers cost nothing: their tokens are not this
			        * run's (summaries show them apart) */
			       "SELECT count(*), sum(error IS NOT NULL),"
			       " sum(CASE WHEN cached THEN NULL ELSE prompt_tokens END),"
			       " sum(CASE WHEN cached THEN NULL ELSE completion_tokens END),"
			       " count(CASE WHEN cached THEN NULL ELSE prompt_tokens END),"
			       " max(gpu_mem_peak_mb),"
			       " sum(error IS NULL AND NOT cached), sum(error IS NULL AND cached)"
			       " FROM samples WHERE run_id = ?", -1, &st, NULL) != SQLITE_OK)
		return VL_EIO;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW) {
		long total = (long)col_int(st, 0, 0);
		ri->n_errors = (long)col_int(st, 1, 0);
		ri->n_done = total - ri->n_errors;
		/* tokens are unknown (not zero) when no sample reported them;
		 * zero when every answer came from the cache */
		int all_cached = col_int(st, 6, 0) == 0 && col_int(st, 7, 0) > 0;
		ri->prompt_tokens = col_int(st, 4, 0) ? col_int(st, 2, -1) : all_cached ? 0 : -1;
		ri->completion_tokens = col_int(st, 4, 0) ? col_int(st, 3, -1) : all_cached ? 0 : -1;
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			ri->gpu_mem_peak_mb = sqlite3_column_double(st, 5);
	}
	sqlite3_finalize(st);
	return 0;
}
