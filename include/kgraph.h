/**
 * @file kgraph.h
 * kgraph: an embedded knowledge-graph engine.
 *
 * This is the only public header of libkgraph; whatever is not declared
 * here is not API. It includes libc headers only.
 *
 * Ownership words used below:
 * - *Caller owns*: the caller must release the object with the named call.
 * - *Borrowed until X*: the pointer stays valid until X happens; do not free.
 * - *Copied*: the library keeps its own copy; the caller may free the input.
 *
 * Errors: every fallible call returns a ::kg_status. A call that fails on a
 * database handle also records a one-line message (kg_errmsg()) and, where
 * known, a location (kg_errloc()) in that handle; a successful call clears
 * them.
 *
 * Threads: one ::kg_db and everything made from it belong to one thread at a
 * time. Different ::kg_db handles may be used from different threads at the
 * same time; the library serialises its access to the shared Redland state.
 */
#ifndef KG_H
#define KG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(_WIN32) && !defined(KG_STATIC)
#  ifdef KG_INTERNAL
#    define KG_API __declspec(dllexport)
#  else
#    define KG_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define KG_API __attribute__((visibility("default")))
#else
#  define KG_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this header, "MAJOR.MINOR.PATCH". */
#define KG_VERSION "0.1.0"

/** Version string of the linked library (static text). */
KG_API const char *kg_version(void);

/* ------------------------------------------------------------------------ */
/** @name Status codes and errors */

/** Result of every fallible call. */
typedef enum kg_status {
  KG_OK = 0,      /**< success */
  KG_ROW,         /**< kg_query_step(): a result row is ready */
  KG_DONE,        /**< kg_query_step(): no more rows */
  KG_ERR_ARG,     /**< misuse: NULL handle, unknown format name, bad spec */
  KG_ERR_NOMEM,   /**< out of memory */
  KG_ERR_IO,      /**< a file or stream could not be opened, read, written */
  KG_ERR_PARSE,   /**< syntax error in RDF data or in a query */
  KG_ERR_QUERY,   /**< a query could not be evaluated */
  KG_ERR_STORE,   /**< the storage backend failed or is missing */
  KG_ERR_DENIED,  /**< refused: the request would reach a file or the
                       network that the caller did not name */
  KG_ERR_LIMIT,   /**< a limit set with kg_db_set_limits() was reached */
  KG_ERR_INTERNAL /**< a bug in kgraph or below it */
} kg_status;

/** Static English name of a status code, never NULL. */
KG_API const char *kg_strstatus(kg_status st);

/** Where an error was found. Numbers are 1-based; 0 means unknown. */
typedef struct kg_location {
  const char *source; /**< file name or "<query>"; borrowed, may be NULL */
  unsigned line;      /**< line, 0 if unknown */
  unsigned column;    /**< column in characters, 0 if unknown */
} kg_location;

/** Free memory that a kgraph call returned as `char *`. NULL is allowed. */
KG_API void kg_free(void *ptr);

/* ------------------------------------------------------------------------ */
/** @name RDF terms */

/** Kind of an RDF term. */
typedef enum kg_term_kind {
  KG_TERM_IRI = 1, /**< an IRI; `value` is the IRI */
  KG_TERM_BLANK,   /**< a blank node; `value` is its label (without "_:") */
  KG_TERM_LITERAL  /**< a literal; `value` is the lexical form */
} kg_term_kind;

/**
 * An RDF term as the library hands it out.
 *
 * For a literal, `datatype` is the datatype IRI, or NULL for a simple
 * literal (xsd:string) and for a language-tagged literal, whose tag is in
 * `lang` (NULL otherwise). All strings are NUL-terminated UTF-8; a literal's
 * lexical form may also contain NUL bytes, so `value_len` gives its length.
 */
typedef struct kg_term {
  kg_term_kind kind;
  const char *value;
  size_t value_len;
  const char *datatype;
  const char *lang;
} kg_term;

/* ------------------------------------------------------------------------ */
/** @name Formats */

/** RDF syntaxes for loading and export. */
typedef enum kg_format {
  KG_FORMAT_AUTO = 0, /**< load: guess from the file name's extension */
  KG_FORMAT_TURTLE,   /**< Turtle (.ttl) */
  KG_FORMAT_NTRIPLES, /**< N-Triples (.nt) */
  KG_FORMAT_NQUADS,   /**< N-Quads (.nq) */
  KG_FORMAT_TRIG,     /**< TriG (.trig) */
  KG_FORMAT_RDFXML,   /**< RDF/XML (.rdf, .owl, .xml) */
  KG_FORMAT_DOT       /**< Graphviz DOT (.dot); export only */
} kg_format;

/**
 * Look up a format by name: "turtle" ("ttl"), "ntriples" ("nt"),
 * "nquads" ("nq"), "trig", "rdfxml" ("xml", "rdf"), "dot".
 * @return KG_OK, or KG_ERR_ARG for an unknown name.
 */
KG_API kg_status kg_format_from_name(const char *name, kg_format *out);

/**
 * Guess a format from a file name's extension (case-insensitive; a trailing
 * ".gz" is not supported). Returns KG_FORMAT_AUTO when the extension is not
 * known.
 */
KG_API kg_format kg_format_from_path(const char *path);

/** Canonical name of a format ("turtle", ...), static text. */
KG_API const char *kg_format_name(kg_format format);

/** SPARQL result serialisations. */
typedef enum kg_results_format {
  KG_RESULTS_JSON = 1, /**< SPARQL 1.1 Query Results JSON */
  KG_RESULTS_XML,      /**< SPARQL Query Results XML */
  KG_RESULTS_CSV,      /**< SPARQL 1.1 Query Results CSV */
  KG_RESULTS_TSV,      /**< SPARQL 1.1 Query Results TSV */
  KG_RESULTS_TABLE     /**< aligned text table for people */
} kg_results_format;

/** Look up a result format by name: json, xml, csv, tsv, table. */
KG_API kg_status kg_results_format_from_name(const char *name,
                                             kg_results_format *out);

/**
 * Where serialised output goes. Called with consecutive chunks; must return
 * `len` on success and anything else on failure, which makes the writing
 * call fail with KG_ERR_IO.
 */
typedef size_t (*kg_sink)(const void *buf, size_t len, void *ctx);

/** A ::kg_sink that writes to the `FILE *` passed as `ctx`. */
KG_API size_t kg_file_sink(const void *buf, size_t len, void *ctx);

/* ------------------------------------------------------------------------ */
/** @name Databases */

/** An open database: a store plus its namespace prefixes. */
typedef struct kg_db kg_db;

/** Flags for kg_db_open(). */
enum {
  KG_OPEN_CREATE = 1u << 0,  /**< create a persistent store that is missing */
  KG_OPEN_READONLY = 1u << 1 /**< refuse every change to the store */
};

/**
 * Open a database.
 *
 * `spec` names the store:
 * - `:memory:` — an indexed in-memory store with named graphs, gone on close;
 * - `lmdb:PATH` or a plain `PATH` — kgraph's persistent store in one LMDB
 *   file (and `PATH-lock` beside it): many reader processes, one writer; a
 *   second writer fails with KG_ERR_STORE, "store is locked";
 * - `sqlite:PATH` — Redland's SQLite storage in one file (a plain `PATH`
 *   that is a SQLite file opens it too);
 * - `postgresql:SETTINGS` — Redland's PostgreSQL storage in a database of
 *   a PostgreSQL server. SETTINGS are libpq-style `key=value` pairs
 *   separated by spaces: `host` (name, address or socket directory),
 *   `port`, `dbname`, `user`, `password`, and `store` (the store's name in
 *   the database, default `kgraph`, so that one database can hold
 *   several); or a libpq URI,
 *   `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?store=NAME]`, parts
 *   percent-encoded. What is not given comes from PGHOST, PGPORT, PGDATABASE,
 *   PGUSER, PGPASSWORD (then ~/.pgpass), else localhost, 5432, the user
 *   name and the login name. Values cannot hold spaces, quotes or
 *   backslashes. The database must exist; KG_OPEN_CREATE makes the store
 *   in it. Messages name the store as `postgresql://USER@HOST:PORT/DB`,
 *   never with its password;
 * - `bdb:DIR` — Redland's Berkeley DB `hashes` storage in the directory
 *   DIR (made with KG_OPEN_CREATE). It has no transactions: a change that
 *   fails is undone step by step, but a writer killed part way leaves what
 *   it wrote and may lose changes it had reported done; a second writer
 *   fails with KG_ERR_STORE, "store is locked".
 *   The other stores make changes inside transactions, so a load that
 *   fails or is interrupted leaves the previous content.
 *
 * @param spec   store spec (copied)
 * @param flags  KG_OPEN_* bits
 * @param errmsg if not NULL, receives on failure a one-line message the
 *               caller frees with kg_free(), and NULL on success
 * @param out    receives the handle; caller owns it (kg_db_close()); NULL
 *               on failure
 * @return KG_OK; KG_ERR_ARG for a malformed spec; KG_ERR_IO when the store
 *         does not exist (without KG_OPEN_CREATE) or cannot be read, or
 *         the server cannot be reached, refuses the user or password, or
 *         lacks the database; KG_ERR_STORE when the backend refuses it or
 *         its librdf storage module is not installed; KG_ERR_NOMEM.
 */
KG_API kg_status kg_db_open(const char *spec,
                            unsigned flags,
                            char **errmsg,
                            kg_db **out);

/**
 * Close a database. NULL is allowed (KG_OK). Fails with KG_ERR_ARG and
 * closes nothing while a ::kg_query of this database is not finalized.
 */
KG_API kg_status kg_db_close(kg_db *db);

/** Last error message of `db`: borrowed until the next call on `db`; ""
 * when the last call succeeded. Never NULL (a NULL db gives ""). */
KG_API const char *kg_errmsg(const kg_db *db);

/** Location of the last error of `db` (all zero/NULL if unknown). */
KG_API kg_location kg_errloc(const kg_db *db);

/** Limits applied to each query of a database. 0 means no limit. */
typedef struct kg_limits {
  uint64_t max_rows;   /**< a query that would return more rows (or
                            triples) fails with KG_ERR_LIMIT */
  uint64_t timeout_ms; /**< wall-clock time a query may take from
                            kg_query_prepare() on; past it
                            kg_query_step() fails with KG_ERR_LIMIT */
  uint64_t max_memory; /**< bytes kgraph may allocate for one query (from
                            kg_query_prepare() to kg_query_finalize(), net
                            of what it frees) or one kg_db_update();
                            past it the call fails with KG_ERR_LIMIT,
                            "query used more than N MB" ("update ..."),
                            and the database stays usable. Counted per
                            query, on the thread that runs it; memory that
                            Redland, serd, LMDB and PCRE2 allocate for
                            themselves is not counted */
} kg_limits;

/** Set the limits of later queries on `db` (copied). */
KG_API kg_status kg_db_set_limits(kg_db *db, const kg_limits *limits);

/* ------------------------------------------------------------------------ */
/** @name Loading */

/**
 * Called now and then while a load runs (after each block of a streaming
 * load, and at its end) with the number of statements read so far by that
 * load call.
 */
typedef void (*kg_progress_fn)(uint64_t statements, void *ctx);

/** Report the progress of later loads on `db` to `fn` (NULL: to no one). */
KG_API kg_status kg_db_set_progress(kg_db *db, kg_progress_fn fn, void *ctx);

/**
 * Load an RDF file into the store.
 *
 * All or nothing: on any error the store is left exactly as it was. Quads
 * (N-Quads, TriG) keep their graph names; triples go into `graph`.
 *
 * @param db     database
 * @param path   file to read (copied)
 * @param format syntax, or KG_FORMAT_AUTO to pick it from `path`
 * @param base   base IRI (copied), or NULL for the file's own `file://` IRI
 * @param graph  IRI of the graph that receives triples, or NULL for the
 *               default graph
 * @param count  if not NULL, receives the number of statements read
 * @return KG_OK; KG_ERR_IO (file missing or unreadable); KG_ERR_ARG
 *         (unknown extension, DOT); KG_ERR_PARSE (syntax error: see
 *         kg_errloc()); KG_ERR_STORE; KG_ERR_DENIED (read-only database).
 */
KG_API kg_status kg_db_load_file(kg_db *db,
                                 const char *path,
                                 kg_format format,
                                 const char *base,
                                 const char *graph,
                                 uint64_t *count);

/**
 * Load RDF from memory; like kg_db_load_file(). `format` must be named;
 * `source` (copied, may be NULL) names the buffer in error locations;
 * `base` may be NULL (relative IRIs are then an error).
 */
KG_API kg_status kg_db_load_string(kg_db *db,
                                   const char *text,
                                   size_t len,
                                   kg_format format,
                                   const char *source,
                                   const char *base,
                                   const char *graph,
                                   uint64_t *count);

/** Options of kg_db_load(); a NULL pointer means all zero. */
typedef struct kg_load_options {
  /** Syntax, or KG_FORMAT_AUTO to pick it from the path's extension. */
  kg_format format;
  /** Base IRI (copied), or NULL: the file's own `file://` IRI (for a
   *  stream, none: relative IRIs are then an error). */
  const char *base;
  /** IRI of the graph that receives triples (copied), or NULL for the
   *  default graph. */
  const char *graph;
  /** If not NULL, read this stream (borrowed for the call) instead of
   *  opening `path`, which then only names the input; `format` must be
   *  named. */
  FILE *stream;
  /** 0: the load is one transaction, all or nothing. N: commit after
   *  every N statements of the input, each chunk in a transaction of its
   *  own (see kg_db_load()). */
  uint64_t commit_every;
  /** Pass over the first N statements of the input: resume a load that
   *  committed them (kg_load_report::committed). KG_LOAD_RESUME: as many
   *  as the store's checkpoint of the input says are committed. */
  uint64_t skip;
} kg_load_options;

/** kg_load_options::skip: resume from the store's checkpoint. */
#define KG_LOAD_RESUME UINT64_MAX

/** How far a load got; filled on success and on failure. */
typedef struct kg_load_report {
  /** Statements this call added: in a load of one transaction the
   *  different ones, with `commit_every` every one read (repeats too). */
  uint64_t statements;
  /** Statements of the input, counted from its start (skipped ones
   *  included), that the store holds: resume with `skip` = this. */
  uint64_t committed;
  /** Line of the input on which the last of them ends: resume after it.
   *  0 when unknown (Turtle, TriG and RDF/XML are parsed whole). */
  uint64_t line;
  /** Byte offset in the input just after that line; 0 when unknown. */
  uint64_t offset;
  /** Transactions this call committed that added statements. */
  uint64_t chunks;
} kg_load_report;

/**
 * Load an RDF file or stream, with options; kg_db_load_file() is this
 * with `format`, `base` and `graph` only.
 *
 * Without `commit_every` the load is one transaction: on any error the
 * store is left exactly as it was. With it, every `commit_every`
 * statements are committed in a transaction of their own (N-Triples and
 * N-Quads stream, so a chunk ends exactly there when every line holds at
 * most one statement, else at the end of the block of lines being read;
 * the other syntaxes are parsed whole first, so a syntax error commits
 * nothing). When such a load fails part way — a syntax error, a full
 * store, kg_db_interrupt(), a killed process — the chunks committed stay,
 * and `report` says how far they go: reload with `skip` =
 * `report->committed`.
 *
 * Blank nodes: the labels of one input name the same nodes across its
 * chunks. An LMDB store keeps, in the transaction of every chunk, a
 * checkpoint of an unfinished chunked load: the input (its real path, or
 * `path` for a stream), how far its committed chunks go, and the prefix
 * its blank-node labels were given; the transaction that completes the
 * load removes it. A later load of the same input (resumed with `skip`,
 * or from the start, with or without chunks) gives its blank nodes the
 * same nodes, so the store ends as one unbroken load leaves it. Refused
 * (KG_ERR_ARG): a `skip` beyond the checkpoint's count, KG_LOAD_RESUME
 * without a checkpoint, and a `skip` past statements holding blank nodes
 * when the store has no checkpoint of the input (only LMDB stores keep
 * checkpoints).
 *
 * kg_db_interrupt() stops the load (KG_ERR_LIMIT, "load interrupted");
 * the chunk under way is rolled back.
 *
 * @param path   file to read (copied); with `opts->stream`, its name
 * @param opts   options, or NULL
 * @param report if not NULL, receives how far the load got
 * @return as kg_db_load_file(); KG_ERR_LIMIT when interrupted; KG_ERR_ARG
 *         for a refused `skip`, or one beyond the end of the input.
 */
KG_API kg_status kg_db_load(kg_db *db,
                            const char *path,
                            const kg_load_options *opts,
                            kg_load_report *report);

/**
 * The store's checkpoint of an unfinished chunked load of `path` (read as
 * kg_db_load() with `opts` would read it: a stream by its name, a file by
 * its real path): `out->committed`, `line` and `offset` say how far its
 * committed chunks go, all 0 when the store holds no such checkpoint (or
 * keeps none). Changes nothing.
 * @return KG_OK; KG_ERR_ARG; KG_ERR_STORE (a damaged checkpoint).
 */
KG_API kg_status kg_db_load_checkpoint(kg_db *db,
                                       const char *path,
                                       const kg_load_options *opts,
                                       kg_load_report *out);

/* ------------------------------------------------------------------------ */
/** @name Namespace prefixes */

/**
 * Bind `prefix` (may be "") to namespace `iri`, replacing an earlier
 * binding of the same prefix. Both copied. Persistent stores keep it.
 */
KG_API kg_status kg_db_set_prefix(kg_db *db,
                                  const char *prefix,
                                  const char *iri);

/** Number of prefix bindings. */
KG_API size_t kg_db_prefix_count(const kg_db *db);

/**
 * Binding number `index` (0-based, sorted by prefix). `prefix` and `iri`
 * are borrowed until the next change of prefixes or kg_db_close().
 */
KG_API kg_status kg_db_prefix(const kg_db *db,
                              size_t index,
                              const char **prefix,
                              const char **iri);

/* ------------------------------------------------------------------------ */
/** @name Inference */

/** The named graph that holds materialised entailments. */
#define KG_INFERRED_GRAPH "https://w3id.org/kgraph/graph/inferred"

/** Inference regimes. */
typedef enum kg_inference {
  KG_INFERENCE_NONE = 0, /**< no inference (the default) */
  KG_INFERENCE_RDFS      /**< RDFS: subClassOf and subPropertyOf closure,
                              domain, range, type propagation */
} kg_inference;

/**
 * Choose the inference regime of `db`.
 *
 * KG_INFERENCE_RDFS materialises, in one transaction, the RDFS entailments
 * of every graph of the store except KG_INFERRED_GRAPH into
 * KG_INFERRED_GRAPH (replacing what it held), and does so again inside
 * every later load through this handle, so the graph never goes stale.
 * The rules are rdfs2, rdfs3, rdfs5, rdfs7, rdfs9 and rdfs11 of RDF 1.1
 * Semantics; the ontology is whatever the store holds (nothing is fetched).
 * Only triples not already in the store are added.
 *
 * KG_INFERENCE_NONE stops the maintenance; the graph, if any, stays until
 * it is dropped. Queries see KG_INFERRED_GRAPH like any other graph.
 *
 * @return KG_OK; KG_ERR_ARG (unknown regime); KG_ERR_DENIED (read-only
 *         database and RDFS); KG_ERR_STORE; KG_ERR_NOMEM.
 */
KG_API kg_status kg_db_set_inference(kg_db *db, kg_inference regime);

/* ------------------------------------------------------------------------ */
/** @name Export and statistics */

/**
 * Serialise the store, or one graph of it, to `sink`.
 *
 * Output is deterministic: the same content gives the same bytes (blank
 * nodes are relabelled in order of first appearance). Turtle and RDF/XML
 * hold triples only: exporting the whole store in them merges its graphs.
 *
 * @param graph IRI of the graph to export; NULL for every graph (quads for
 *              N-Quads and TriG); "" for the default graph only
 */
KG_API kg_status kg_db_export(
    kg_db *db, kg_format format, const char *graph, kg_sink sink, void *ctx);

/** Counts over the whole store. */
typedef struct kg_stats {
  uint64_t quads;      /**< statements, each graph counted separately */
  uint64_t triples;    /**< distinct (s, p, o) over all graphs */
  uint64_t graphs;     /**< named graphs holding at least one statement */
  uint64_t subjects;   /**< distinct subjects */
  uint64_t predicates; /**< distinct predicates */
  uint64_t objects;    /**< distinct objects */
} kg_stats;

/** Fill `out` with counts over the store. */
KG_API kg_status kg_db_stats(kg_db *db, kg_stats *out);

/* ------------------------------------------------------------------------ */
/** @name SPARQL queries */

/** A prepared SPARQL query and its results. */
typedef struct kg_query kg_query;

/** What a query returns. */
typedef enum kg_query_kind {
  KG_QUERY_SELECT = 1, /**< rows of bindings */
  KG_QUERY_ASK,        /**< one boolean */
  KG_QUERY_CONSTRUCT,  /**< triples */
  KG_QUERY_DESCRIBE    /**< triples */
} kg_query_kind;

/**
 * Parse and prepare a SPARQL 1.1 query.
 *
 * kgraph parses and evaluates the query itself, over the store. The
 * default graph is the store's default graph (see
 * kg_db_set_default_graph()); FROM and FROM NAMED select graphs of the
 * store by name, never read a file or the network (a name the store does
 * not hold selects an empty graph). Refused with KG_ERR_DENIED: SERVICE.
 *
 * @param text query text (copied), `len` bytes, need not be NUL-terminated
 * @param base base IRI (copied) or NULL
 * @param out  receives the query; caller owns it (kg_query_finalize())
 * @return KG_OK; KG_ERR_PARSE with kg_errloc(); KG_ERR_DENIED; KG_ERR_QUERY.
 */
KG_API kg_status kg_query_prepare(
    kg_db *db, const char *text, size_t len, const char *base, kg_query **out);

/** What a query reads as its default graph when it has no FROM. */
typedef enum kg_default_graph {
  KG_DEFAULT_GRAPH_OWN = 0, /**< the store's default graph (SPARQL's
                                 dataset; the default) */
  KG_DEFAULT_GRAPH_UNION    /**< the merge of every graph of the store,
                                 the default graph and the named ones */
} kg_default_graph;

/**
 * Choose what later queries (and the WHERE of updates) of `db` read as
 * their default graph when they have no FROM (or USING, WITH). GRAPH
 * still ranges over the named graphs.
 * @return KG_OK; KG_ERR_ARG for an unknown mode.
 */
KG_API kg_status kg_db_set_default_graph(kg_db *db, kg_default_graph mode);

/** Kind of a prepared query. */
KG_API kg_query_kind kg_query_kind_of(const kg_query *q);

/**
 * Advance to the next result.
 *
 * SELECT: one row of bindings per KG_ROW. ASK: exactly one KG_ROW, then
 * read kg_query_boolean(). CONSTRUCT/DESCRIBE: one triple per KG_ROW, read
 * with kg_query_triple().
 * @return KG_ROW, KG_DONE, or an error (KG_ERR_QUERY, KG_ERR_LIMIT, ...)
 *         whose message is in the database handle.
 */
KG_API kg_status kg_query_step(kg_query *q);

/** Number of result variables (SELECT); 0 for other kinds. */
KG_API size_t kg_query_column_count(const kg_query *q);

/** Name of variable `i` without '?'; borrowed until kg_query_finalize(). */
KG_API const char *kg_query_column_name(const kg_query *q, size_t i);

/**
 * Value of variable `i` in the current row, or NULL when it is unbound.
 * Borrowed until the next kg_query_step() or kg_query_finalize().
 */
KG_API const kg_term *kg_query_value(const kg_query *q, size_t i);

/** ASK's answer (after the KG_ROW): 1 true, 0 false. */
KG_API int kg_query_boolean(const kg_query *q);

/**
 * The current triple of a CONSTRUCT or DESCRIBE query. Each pointer is
 * borrowed until the next kg_query_step() or kg_query_finalize().
 */
KG_API kg_status kg_query_triple(const kg_query *q,
                                 const kg_term **s,
                                 const kg_term **p,
                                 const kg_term **o);

/**
 * Run the query to its end, writing every remaining result to `sink`.
 *
 * SELECT and ASK are written as `results`; CONSTRUCT and DESCRIBE as RDF in
 * `graph_format` with the database's prefixes. On failure part of the
 * output may have been written, and the status says so.
 */
KG_API kg_status kg_query_write(kg_query *q,
                                kg_results_format results,
                                kg_format graph_format,
                                kg_sink sink,
                                void *ctx);

/** Free a query. NULL is allowed. */
KG_API void kg_query_finalize(kg_query *q);

/**
 * Ask the query to stop. May be called from any thread, and from a signal
 * handler, while another thread steps it: the running (or next)
 * kg_query_step() fails with KG_ERR_LIMIT, "query interrupted". NULL is
 * allowed.
 */
KG_API void kg_query_cancel(kg_query *q);

/**
 * Ask whatever runs on `db` (a query step, an update, a load) to stop, as
 * kg_query_cancel() does. Safe from another thread and from a signal
 * handler. The request stays until the next kg_query_prepare(),
 * kg_db_update() or load of `db`, which clears it. NULL is allowed.
 */
KG_API void kg_db_interrupt(kg_db *db);

/* ------------------------------------------------------------------------ */
/** @name SPARQL Update */

/** Options of kg_db_update(); a NULL pointer means all zero. */
typedef struct kg_update_options {
  /** Files that LOAD may read, as paths or `file:` IRIs (borrowed for the
   *  call). LOAD of anything else (another file, the network) fails with
   *  KG_ERR_DENIED. */
  const char *const *load_files;
  size_t nload_files;
  /** Check the request's syntax only; change nothing. */
  int parse_only;
} kg_update_options;

/**
 * Run a SPARQL 1.1 Update request: INSERT DATA, DELETE DATA, DELETE WHERE,
 * DELETE/INSERT ... WHERE with WITH and USING, LOAD, CLEAR, DROP, CREATE,
 * ADD, MOVE, COPY, each with SILENT.
 *
 * The request is one transaction: either every operation takes effect or,
 * when one fails (and is not SILENT), none does. The limits of
 * kg_db_set_limits() apply: `timeout_ms` to the whole request, `max_rows`
 * to the solutions of each WHERE, `max_memory` to the whole request. A store
 * keeps no empty graph: CREATE only matters within the request that makes it.
 *
 * @param text    the request (copied), `len` bytes
 * @param base    base IRI (copied) or NULL
 * @param opts    options, or NULL
 * @param changed if not NULL, receives the number of quads added plus the
 *                number removed
 * @return KG_OK; KG_ERR_PARSE with kg_errloc(); KG_ERR_DENIED (read-only
 *         database, SERVICE, LOAD of a file not allowed); KG_ERR_QUERY
 *         (an operation failed: CREATE of a graph that exists, DROP of one
 *         that does not, ...); KG_ERR_LIMIT; KG_ERR_IO; KG_ERR_STORE;
 *         KG_ERR_NOMEM.
 */
KG_API kg_status kg_db_update(kg_db *db,
                              const char *text,
                              size_t len,
                              const char *base,
                              const kg_update_options *opts,
                              uint64_t *changed);

#ifdef __cplusplus
}
#endif

#endif /* KG_H */
